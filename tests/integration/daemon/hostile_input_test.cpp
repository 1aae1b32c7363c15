// Hostile and broken clients on the raw socket. Each is answered with a clear error or
// dropped, while another client is served normally and existing grants stay.
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class HostileInput : public DaemonTest {
  protected:
    virtual DaemonOptions daemon_options() const { return {}; }  // idle timeout 2 s
    // Starts the daemon with one live grant whose survival each test checks at its end.
    void SetUp() override {
        DaemonTest::SetUp();
        if (IsSkipped()) return;
        start(std::nullopt, daemon_options());
        auto r = daemon().request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
        ASSERT_TRUE(is_ok(r));
        grant_id_ = r["grant"]["id"];
    }
    // Another user is served normally, and the grant is still there, in the list and the kernel.
    void expect_unharmed() {
        ASSERT_TRUE(daemon().running()) << "jitd died";
        auto s = daemon().request({{"op", "status"}}, users().viewer.id);
        EXPECT_TRUE(is_ok(s));
        auto l = daemon().request({{"op", "list"}}, users().admin.id);
        EXPECT_TRUE(find_grant(l, grant_id_)) << l.dump();
        TcpEchoServer ssh(daemon().net().server(), 22);
        EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
    }
    std::string grant_id_;
};

TEST_F(HostileInput, MalformedRequestsAreBadRequest) {
    const std::vector<std::string> lines = {
        "hello",
        "{",
        "{\"op\":\"status\"",
        "[1,2,3]",
        "\"status\"",
        "42",
        "null",
        "{}",
        "{\"op\":5}",
        "{\"op\":null}",
        "{\"op\":\"frobnicate\"}",
        "{\"op\":\"list\",\"extra\":1}",
        "{\"op\":\"status\",\"user\":\"root\"}",
        "{\"op\":\"open\",\"port\":22,\"source\":\"198.51.100.9\",\"duration\":\"1h\",\"uid\":0}",
        "{\"op\":\"open\",\"port\":22.5,\"source\":\"198.51.100.9\",\"duration\":\"1h\"}",
        "{\"op\":\"open\",\"port\":-22,\"source\":\"198.51.100.9\",\"duration\":\"1h\"}",
        "{\"op\":\"open\",\"port\":70000,\"source\":\"198.51.100.9\",\"duration\":\"1h\"}",
        "{\"op\":\"open\",\"port\":22,\"source\":[\"198.51.100.9\"],\"duration\":\"1h\"}",
        "{\"op\":\"open\",\"port\":22,\"source\":\"198.51.100.9\",\"duration\":3600}",
        "{\"op\":\"open\",\"port\":22,\"source\":\"198.51.100.9\",\"duration\":null}",
        // NOLINTNEXTLINE(bugprone-suspicious-missing-comma): these requests span two lines
        "{\"op\":\"open\",\"port\":22,\"source\":\"198.51.100.9\",\"duration\":\"1h\","
        "\"protocol\":\"icmp\"}",
        "{\"op\":\"open\",\"port\":22,\"source\":\"198.51.100.9\",\"duration\":\"1h\","
        "\"reason\":\"a\\u0007b\"}",
        "{\"op\":\"open\",\"port\":22,\"source\":\"198.51.100.9\",\"duration\":\"1h\",\"reason\":"
        "7}",
        "{\"op\":\"revoke\"}",
        "{\"op\":\"revoke\",\"id\":12}",
        "{\"op\":\"extend\",\"id\":\"g-000000000000\"}",
        "{\"op\":\"extend\",\"id\":\"g-000000000000\",\"duration\":\"-5m\"}",
        "{\"op\":\"status\",\"op\":\"reload\",\"x\":{\"y\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}}",
        std::string("{\"op\":\"st\0tus\"}", sizeof "{\"op\":\"st\0tus\"}" - 1),
        "\xff\xfe{\"op\":\"status\"}",
    };
    for (const auto& line : lines) {
        SCOPED_TRACE(line);
        auto c = daemon().connect_as(users().admin.id);
        ASSERT_TRUE(c.send_raw(line + "\n"));
        auto answer = c.read_line();
        ASSERT_TRUE(answer) << "no answer";
        auto j = json::parse(*answer, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << "the answer must be JSON: " << *answer;
        EXPECT_TRUE(is_error(j, "bad_request"));
    }
    // The connection stays usable after a bad line: the next request is answered normally.
    auto c = daemon().connect_as(users().admin.id);
    ASSERT_TRUE(c.send_raw("nonsense\n{\"op\":\"status\"}\n"));
    auto first = c.read_line(), second = c.read_line();
    ASSERT_TRUE(first && second);
    EXPECT_TRUE(is_error(json::parse(*first), "bad_request"));
    EXPECT_TRUE(is_ok(json::parse(*second)));
    expect_unharmed();
}

TEST_F(HostileInput, SeveralRequestsInOnePacketAreAnsweredInOrder) {
    auto c = daemon().connect_as(users().viewer.id);
    ASSERT_TRUE(c.send_raw("{\"op\":\"status\"}\n{\"op\":\"list\"}\n{\"op\":\"reload\"}\n"));
    auto a = c.read_line(), b = c.read_line(), e = c.read_line();
    ASSERT_TRUE(a && b && e);
    EXPECT_TRUE(json::parse(*a).contains("version"));
    EXPECT_TRUE(json::parse(*b).contains("grants"));
    EXPECT_TRUE(is_error(json::parse(*e), "not_authorized"));
}

TEST_F(HostileInput, LineOverTheLimitIsRefusedAndClosed) {
    // Exactly 65536 bytes with the newline: still a request.
    std::string fits = "{\"op\":\"status\"}";
    fits += std::string(65535 - fits.size(), ' ');
    auto ok = daemon().connect_as(users().viewer.id);
    ASSERT_TRUE(ok.send_raw(fits + "\n"));
    auto answer = ok.read_line();
    ASSERT_TRUE(answer);
    EXPECT_TRUE(is_ok(json::parse(*answer)));

    Journal mark;
    auto big = daemon().connect_as(users().viewer.id);
    big.send_raw(std::string(std::size_t{70} * 1024, 'a') +
                 "\n");  // may fail half-way once jitd closes
    auto refused = big.read_line();
    ASSERT_TRUE(refused) << "no answer to an oversized line";
    EXPECT_TRUE(is_error(json::parse(*refused), "request_too_large"));
    EXPECT_TRUE(big.wait_closed(seconds(3))) << "the connection must be closed";
    EXPECT_TRUE(mark.wait_for({{"JITD_EVENT", "deny"}, {"JITD_ERROR", "request_too_large"}}))
        << mark.dump();
    expect_unharmed();
}

TEST_F(HostileInput, SilentAndPartialClientsAreDroppedAfterTheIdleTimeout) {
    auto silent = daemon().connect_as(users().viewer.id);
    auto partial = daemon().connect_as(users().viewer.id);
    ASSERT_TRUE(partial.send_raw("{\"op\":\"sta"));
    auto served = daemon().connect_as(users().requester.id);
    EXPECT_TRUE(is_ok(served.request({{"op", "status"}})));
    EXPECT_TRUE(partial.wait_closed(seconds(6))) << "idle timeout is 2s";
    EXPECT_TRUE(silent.wait_closed(seconds(6)));
    expect_unharmed();
}

// Making 200 connections (a fork each) takes longer than 2 s on a slow machine (a TCG guest):
// the connections held at the cap would idle out and free their slots mid-test.
class HostileInputLongIdle : public HostileInput {
  protected:
    DaemonOptions daemon_options() const override {
        DaemonOptions o;
        o.idle_timeout_s = 120;
        return o;
    }
};

TEST_F(HostileInputLongIdle, ConnectionCapPerUidDoesNotStarveOthers) {
    Journal mark;
    std::vector<SocketClient> held;
    held.reserve(200);
    int refused = 0;
    for (int i = 0; i < 200; ++i) {
        held.push_back(daemon().connect_as(users().stranger.id));
    }
    // Others are served while the stranger holds its cap. jitd accepts in arrival order and
    // answers a refused connection when it accepts it, so once this later one is answered
    // every refusal is waiting to be read (on a slow machine too: no race with the reads).
    EXPECT_TRUE(is_ok(daemon().request({{"op", "status"}}, users().viewer.id)));
    // Connections beyond the cap (8) are answered too_many_connections and closed.
    for (auto& c : held) {
        auto line = c.read_line(milliseconds(200));
        if (line && is_error(json::parse(*line, nullptr, false), "too_many_connections")) {
            ++refused;
            EXPECT_TRUE(c.wait_closed(seconds(2)));
        }
    }
    EXPECT_GE(refused, 192 - 8) << "at most the cap (8) may stay open";
    EXPECT_LE(refused, 192);
    EXPECT_TRUE(is_ok(daemon().request({{"op", "status"}})));
    EXPECT_TRUE(mark.wait_for({{"JITD_EVENT", "deny"}, {"JITD_ERROR", "too_many_connections"}}))
        << mark.dump();
    // Once the stranger lets go, it is answered again (not_authorized: it has no role).
    held.clear();
    EXPECT_TRUE(poll_until([&]() -> bool {
        try {
            return is_error(daemon().request({{"op", "status"}}, users().stranger.id),
                            "not_authorized");
        } catch (const std::exception&) {
            return false;
        }
    }));
    expect_unharmed();
}

TEST_F(HostileInput, ClientsVanishingMidRequest) {
    for (int i = 0; i < 20; ++i) {
        auto half = daemon().connect_as(users().requester.id);
        half.send_raw("{\"op\":\"open\",\"port\":22,");
    }  // closed with half a line
    for (int i = 0; i < 20; ++i) {
        // A full request, gone before the answer: jitd's write must not kill it (SIGPIPE).
        auto gone = daemon().connect_as(users().admin.id);
        gone.send_raw("{\"op\":\"list\"}\n{\"op\":\"status\"}\n{\"op\":\"list\"}\n");
    }
    auto rst = daemon().connect_as(users().admin.id);
    rst.send_raw(open_request(22, TestAddrs::client4b, "1h").dump() + "\n");
    rst.close();
    expect_unharmed();
}

// Issue 11, finding 10: inet_pton stopped at an embedded NUL, so "198.51.100.3\0junk" was
// granted as 198.51.100.3 -- from a request and from the policy alike.
TEST_F(HostileInput, AddressWithAnEmbeddedNulIsRefused) {
    auto ssh = std::make_unique<TcpEchoServer>(daemon().net().server(), 22);
    const std::string nul_source = std::string(TestAddrs::client4b) + std::string(1, '\0') + "junk";
    auto r = daemon().request(open_request(22, nul_source, "1h"), users().admin.id);
    EXPECT_TRUE(is_error(r, "invalid_source")) << r.dump();
    EXPECT_NE(r["error"].value("message", "").find("NUL"), std::string::npos) << r.dump();
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "the NUL address was granted";

    std::string policy = default_policy();
    const std::string key = "always_allow: []";
    policy.replace(policy.find(key), key.size(),
                   "always_allow: [\"" + std::string(TestAddrs::client4b) + "\\0junk\"]");
    daemon().rewrite_policy(policy);
    auto reload = daemon().request({{"op", "reload"}}, users().admin.id);
    ASSERT_TRUE(is_error(reload, "policy_invalid")) << reload.dump();
    const std::string message = reload["error"].value("message", "");
    EXPECT_NE(message.find("policy.yaml:"), std::string::npos) << message;
    EXPECT_NE(message.find("contains a NUL byte"), std::string::npos) << message;
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "the NUL address became always_allow";
    ssh.reset();  // expect_unharmed() listens on 22 itself
    expect_unharmed();
}

// Issue 11, finding 12: a link-local grant would match its address on every interface.
TEST_F(HostileInput, LinkLocalSourcesAreRefusedByDefault) {
    for (const char* source : {"fe80::1", "fe80::/64", "169.254.7.8"}) {
        SCOPED_TRACE(source);
        auto r = daemon().request(open_request(22, source, "1h"), users().requester.id);
        EXPECT_TRUE(is_error(r, "invalid_source")) << r.dump();
        EXPECT_NE(r["error"].value("message", "").find("link-local"), std::string::npos)
            << r.dump();
    }
    auto zoned = daemon().request(open_request(22, "fe80::1%eth0", "1h"), users().requester.id);
    EXPECT_TRUE(is_error(zoned, "invalid_source")) << zoned.dump();
    EXPECT_NE(zoned["error"].value("message", "").find("zone"), std::string::npos) << zoned.dump();
    expect_unharmed();
}

}  // namespace
}  // namespace jitd::test
