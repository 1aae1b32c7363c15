// jit-request end to end: the built binary against a real jitd (DaemonFixture: its own server
// and client network namespaces, real nftables, real packets), the private journald, and real
// unprivileged users — one test per subcommand and per exit code.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <regex>

#include "agent/wire/timefmt.hpp"
#include "tests/integration/client/client_test_support.hpp"
#include "tests/support/daemon_fixture.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class ClientE2E : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (is_root()) users_ = std::make_unique<TestUsers>();
    }
    static void TearDownTestSuite() { users_.reset(); }

    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root (namespaces, nftables, test users)";
        ::unsetenv("SSH_CONNECTION");  // the default --from must come only from what a test sets
        ::unsetenv("JITD_SOCKET");
        const std::string policy =
            "ports:\n"
            "  - {port: 22, protocol: tcp, max_duration: 1h, allowed_sources: any}\n"
            "  - {port: 3389, protocol: any, max_duration: 10m, allowed_sources: any}\n" +
            users_->access_yaml();
        daemon_ = std::make_unique<DaemonFixture>(policy);
        echo_ = std::make_unique<TcpEchoServer>(daemon_->net().server(), 22);
    }
    void TearDown() override {
        echo_.reset();
        daemon_.reset();
    }

    std::vector<std::string> with_socket(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--socket", daemon_->socket_path()});
        return args;
    }
    RunResult jr(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
        return jit_request(with_socket(std::move(args)), env);
    }
    RunResult jr_as(const TestUser& u, std::vector<std::string> args) {
        return jit_request_as(u, with_socket(std::move(args)));
    }
    bool door_open(const char* src = TestAddrs::client4, const char* dst = TestAddrs::server4) {
        return tcp_connects(daemon_->net().client(), src, dst, 22);
    }
    // The grant id in `open`'s output.
    static std::string granted_id(const std::string& out) {
        std::smatch m;
        if (!std::regex_search(out, m, std::regex("^granted (g-[0-9a-f]{12}): "))) return {};
        return m[1];
    }
    json list_json() {
        const auto r = jr({"list", "--json"});
        EXPECT_EQ(r.exit_code, 0) << describe(r);
        return json::parse(r.out);
    }
    static std::optional<json> find(const json& grants, const std::string& id) {
        for (const auto& g : grants)
            if (g.at("id") == id) return g;
        return std::nullopt;
    }
    static std::chrono::seconds length(const json& g) {
        return *wire::parse_iso8601(g.at("end").get<std::string>()) -
               *wire::parse_iso8601(g.at("start").get<std::string>());
    }

    static inline std::unique_ptr<TestUsers> users_;
    std::unique_ptr<DaemonFixture> daemon_;
    std::unique_ptr<TcpEchoServer> echo_;
};

TEST_F(ClientE2E, OpenListExtendStatusRevokeWithRealPackets) {
    ASSERT_FALSE(door_open()) << "port 22 must start closed";

    auto r = jr({"open", "22", "--for", "5m", "--from", TestAddrs::client4, "--reason", "e2e"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const std::string id = granted_id(r.out);
    ASSERT_FALSE(id.empty()) << r.out;
    EXPECT_NE(r.out.find("22/tcp from 198.51.100.2 for 5m, ends in 5m ("), std::string::npos)
        << r.out;
    EXPECT_TRUE(door_open());

    r = jr({"list"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("ID  "), std::string::npos) << r.out;
    const std::regex row(
        id + " +root +22/tcp +198\\.51\\.100\\.2 +ends in 5m \\(\\d\\d:\\d\\d UTC\\) +e2e\n");
    EXPECT_TRUE(std::regex_search(r.out, row)) << r.out;

    auto g = find(list_json(), id);
    ASSERT_TRUE(g);
    EXPECT_EQ((*g)["source"], "198.51.100.2/32");
    EXPECT_EQ((*g)["reason"], "e2e");
    EXPECT_EQ(length(*g), 5min);

    r = jr({"extend", id, "--for", "20m"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("now ends in 20m"), std::string::npos) << r.out;
    g = find(list_json(), id);
    ASSERT_TRUE(g);
    const auto end = *wire::parse_iso8601((*g)["end"].get<std::string>());
    EXPECT_GE(end, wire::now_seconds() + 19min);

    r = jr({"status", "--json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const json st = json::parse(r.out);
    EXPECT_EQ(st["role"], "admin");
    EXPECT_EQ(st["grants"], 1);
    ASSERT_EQ(st["ports"].size(), 2u) << st.dump();
    r = jr({"status"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("you are root (admin)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("3389  any       10m"), std::string::npos) << r.out;

    r = jr({"revoke", id});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("revoked " + id), std::string::npos) << r.out;
    EXPECT_TRUE(poll_until([&] { return !door_open(); }, 5s)) << "revoked door stays open";
    r = jr({"list"});
    EXPECT_EQ(r.out, "no active grants\n");
}

TEST_F(ClientE2E, FromAndForDefaultToSshClientAndMaxDuration) {
    auto r = jr({"open", "22"}, {"SSH_CONNECTION=198.51.100.2 51234 198.51.100.1 22"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const std::string v4 = granted_id(r.out);
    r = jr({"open", "22/tcp"}, {"SSH_CONNECTION=2001:db8:99::2 51234 2001:db8:99::1 22"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const std::string v6 = granted_id(r.out);

    const json grants = list_json();
    const auto g4 = find(grants, v4), g6 = find(grants, v6);
    ASSERT_TRUE(g4 && g6) << grants.dump(2);
    EXPECT_EQ((*g4)["source"], "198.51.100.2/32");
    EXPECT_EQ((*g6)["source"], "2001:db8:99::2/128");
    EXPECT_EQ(length(*g4), 1h);  // port 22's max_duration, filled in by the daemon
    EXPECT_EQ(length(*g6), 1h);
    EXPECT_TRUE(door_open(TestAddrs::client4, TestAddrs::server4));
    EXPECT_TRUE(door_open(TestAddrs::client6, TestAddrs::server6));
    EXPECT_FALSE(door_open(TestAddrs::client4b, TestAddrs::server4));
}

TEST_F(ClientE2E, PolicyRefusalsExitOneWithTheCode) {
    auto r = jr({"open", "22", "--for", "2h", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 1) << describe(r);
    EXPECT_EQ(r.err.rfind("jit-request: refused (duration_exceeds_max): ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

    r = jr({"open", "2222", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 1) << describe(r);
    EXPECT_NE(r.err.find("refused (port_not_protected)"), std::string::npos) << r.err;

    r = jr({"revoke", "g-000000000000"});
    EXPECT_EQ(r.exit_code, 1) << describe(r);
    EXPECT_NE(r.err.find("refused (not_found)"), std::string::npos) << r.err;
    r = jr({"extend", "g-000000000000", "--for", "1m"});
    EXPECT_EQ(r.exit_code, 1) << describe(r);
    EXPECT_FALSE(door_open());
}

TEST_F(ClientE2E, UsageErrorsExit64WithoutAGrant) {
    auto r = jr({"open", "22"});  // no SSH_CONNECTION, no --from
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
    r = jr({"open", "22", "--for", "soon", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    r = jr({"open", "99999", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    EXPECT_EQ(list_json().size(), 0u);
}

TEST_F(ClientE2E, UnavailableDaemonExits69NamingTheSocket) {
    auto r = jr({"list"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    daemon_->stop();
    r = jr({"list"});
    EXPECT_EQ(r.exit_code, 69) << describe(r);
    EXPECT_NE(r.err.find(daemon_->socket_path()), std::string::npos) << r.err;
    r = jit_request({"status"}, {"JITD_SOCKET=" + daemon_->dir() + "/nothing.sock"});
    EXPECT_EQ(r.exit_code, 69) << describe(r);
    EXPECT_NE(r.err.find(daemon_->dir() + "/nothing.sock"), std::string::npos) << r.err;
}

TEST_F(ClientE2E, RolesAsRealUsersAndNotAuthorizedExits77) {
    TestUsers& u = *users_;
    auto r = jr_as(u.stranger, {"open", "22", "--for", "1m", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 77) << describe(r);
    EXPECT_NE(r.err.find("refused (not_authorized)"), std::string::npos) << r.err;
    r = jr_as(u.stranger, {"list"});
    EXPECT_EQ(r.exit_code, 77) << describe(r);
    r = jr_as(u.viewer, {"open", "22", "--for", "1m", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 77) << describe(r);
    EXPECT_FALSE(door_open());

    r = jr_as(u.requester, {"open", "22", "--for", "1m", "--from", TestAddrs::client4});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const std::string id = granted_id(r.out);
    EXPECT_TRUE(door_open());
    r = jr_as(u.viewer, {"list"});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find(id + "  " + u.requester.name), std::string::npos) << r.out;
    r = jr_as(u.viewer, {"revoke", id});
    EXPECT_EQ(r.exit_code, 77) << describe(r);
    r = jr_as(u.requester, {"revoke", id});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
}

TEST_F(ClientE2E, KernelClosesTheDoorAndAuditShowsTheStory) {
    auto r = jr({"open", "22", "--for", "2s", "--from", TestAddrs::client4, "--reason",
                 "short, \"quoted\""});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const std::string id = granted_id(r.out);
    EXPECT_TRUE(door_open());
    EXPECT_TRUE(poll_until([&] { return !door_open(); }, 10s)) << "the kernel did not close it";

    // The journal: grant then expire, each formatted three ways.
    json events;
    auto has = [&](const char* event) {
        for (const auto& e : events)
            if (e["grant_id"] == id && e["event"] == event) return true;
        return false;
    };
    EXPECT_TRUE(poll_until(
        [&] {
            const auto a = jr({"audit", "--port", "22", "--format", "json"});
            if (a.exit_code != 0) return false;
            events = json::parse(a.out);
            return has("grant") && has("expire");
        },
        10s))
        << events.dump(2);

    r = jr({"audit", "--since", "1h", "--user", "root", "--format", "csv"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    bool found = false, expired = false;
    for (const auto& row : parse_csv(r.out)) {
        if (row["grant_id"] != id) continue;
        // The requester's reason on every event of the grant; what ended it in `cause`.
        EXPECT_EQ(row["reason"], "short, \"quoted\"") << row.dump();
        if (row["event"] == "expire") {
            expired = true;
            EXPECT_EQ(row["cause"], "expired");
        }
        if (row["event"] != "grant") continue;
        found = true;
        EXPECT_EQ(row["cause"], "");
        EXPECT_EQ(row["port"], "22");
        EXPECT_EQ(row["source"], "198.51.100.2/32");
        EXPECT_EQ(row["user"], "root");
    }
    EXPECT_TRUE(found) << r.out;
    EXPECT_TRUE(expired) << r.out;

    r = jr({"audit"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find(id), std::string::npos) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\n22 +[1-9][0-9]* +\\d{4}-\\d\\d-\\d\\d "
                                                    "\\d\\d:\\d\\d:\\d\\d +root\n")))
        << r.out;
}

// A revoke's entry names the grant's reason and, apart from it, the cause (B4: JITD_REASON
// used to say "requested" there, and the justification was lost from the record).
TEST_F(ClientE2E, RevokeEntryKeepsTheReasonAndNamesTheCause) {
    auto r = jr({"open", "22", "--for", "10m", "--from", TestAddrs::client4, "--reason",
                 "INC-4521: restart nginx"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const std::string id = granted_id(r.out);
    r = jr({"revoke", id});
    ASSERT_EQ(r.exit_code, 0) << describe(r);

    json row;
    EXPECT_TRUE(poll_until(
        [&] {
            const auto a = jr({"audit", "--since", "1h", "--port", "22", "--format", "csv"});
            if (a.exit_code != 0) return false;
            for (const auto& rw : parse_csv(a.out))
                if (rw["grant_id"] == id && rw["event"] == "revoke") row = rw;
            return !row.is_null();
        },
        10s))
        << "no revoke entry for " << id;
    EXPECT_EQ(row["reason"], "INC-4521: restart nginx");
    EXPECT_EQ(row["cause"], "requested");
    r = jr({"audit", "--since", "1h", "--port", "22"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_TRUE(std::regex_search(r.out, std::regex("revoke .*INC-4521: restart nginx +requested")))
        << r.out;
}

}  // namespace
}  // namespace jitd::test
