// `revoke --kill` and `revoke_kills_sessions`: a revoked grant's established sessions are reset,
// their conntrack entries deleted, their pickups forgotten, so that not even a bare ACK of the
// old session gets through; a plain revoke leaves them running. Real TCP through real grants.
#include <string>

#include "tests/integration/daemon/daemon_test.hpp"
#include "tests/support/bare_ack.hpp"

namespace jitd::test {
namespace {

constexpr std::chrono::milliseconds kResetLimit{3000};

class Kill : public DaemonTest {
  protected:
    // A grant on port 22 for `src` as the requester; returns its id ("" on failure).
    std::string grant(const std::string& src) {
        auto r = daemon().request(open_request(22, src, "1h"), users().requester.id);
        EXPECT_TRUE(is_ok(r));
        return r.value("grant", json::object()).value("id", "");
    }
    json revoke(const std::string& id, std::optional<bool> kill) {
        json req{{"op", "revoke"}, {"id", id}};
        if (kill) req["kill"] = *kill;
        return daemon().request(req, users().requester.id);
    }
    // `nft list set inet jitd pickup4` in the server namespace.
    std::string pickup4() {
        return run_ok(
            daemon().net().server().exec({"nft", "list", "set", "inet", "jitd", "pickup4"}));
    }
    static std::string pickup_text(const TcpClient& c) {
        return std::string(TestAddrs::client4) + " . " + std::to_string(c.local_port()) + " . " +
               TestAddrs::server4 + " . 22";
    }
};

TEST_F(Kill, RevokeKillResetsTheSessionAndItCannotResume) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    const std::string id = grant(TestAddrs::client4), other = grant(TestAddrs::client4b);
    ASSERT_FALSE(id.empty() || other.empty());
    TcpClient conn(d.net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    TcpClient bystander(d.net().client(), TestAddrs::client4b, TestAddrs::server4, 22);
    ASSERT_TRUE(conn.connected() && conn.echo("hello\n"));
    ASSERT_TRUE(bystander.connected() && bystander.echo("hello\n"));

    auto v = revoke(id, true);
    ASSERT_TRUE(is_ok(v));
    ASSERT_TRUE(v.contains("killed")) << v.dump();
    EXPECT_EQ(v["killed"]["sockets"], 1) << v.dump();
    EXPECT_GE(v["killed"]["conntrack"].get<int>(), 1) << v.dump();
    EXPECT_FALSE(v["killed"].contains("problem")) << v.dump();
    EXPECT_TRUE(conn.wait_closed(kResetLimit)) << "the client must see the reset";
    EXPECT_FALSE(bare_ack_answered(d.net().client(), TestAddrs::client4, conn.local_port(),
                                   TestAddrs::server4, 22))
        << "a bare ACK of the killed session must not get through";
    EXPECT_TRUE(bystander.echo("still here\n")) << "another source's session is not touched";

    auto e = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", id}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_KILLED_SOCKETS"), "1");
    EXPECT_NE(journal_field(*e, "JITD_KILLED_CONNTRACK"), "");
    EXPECT_NE(journal_field(*e, "JITD_KILLED_CONNTRACK"), "0");
    EXPECT_EQ(journal_field(*e, "JITD_KILL_ERROR"), "");
}

TEST_F(Kill, PlainRevokeLeavesTheSessionRunning) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    const std::string id = grant(TestAddrs::client4);
    TcpClient conn(d.net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    ASSERT_TRUE(conn.connected() && conn.echo("hello\n"));
    auto v = revoke(id, std::nullopt);
    ASSERT_TRUE(is_ok(v));
    EXPECT_FALSE(v.contains("killed")) << v.dump();
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22)) << "the door is closed";
    EXPECT_TRUE(conn.echo("still connected\n")) << "the session goes on";
    auto e = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", id}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_KILLED_SOCKETS"), "");
}

TEST_F(Kill, PolicySwitchMakesAPlainRevokeKill) {
    auto& d = start(default_policy() + "revoke_kills_sessions: true\n");
    TcpEchoServer ssh(d.net().server(), 22);
    const std::string id = grant(TestAddrs::client4), spared = grant(TestAddrs::client4b);
    TcpClient conn(d.net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    TcpClient kept(d.net().client(), TestAddrs::client4b, TestAddrs::server4, 22);
    ASSERT_TRUE(conn.connected() && conn.echo("hello\n"));
    ASSERT_TRUE(kept.connected() && kept.echo("hello\n"));
    auto v = revoke(id, std::nullopt);
    ASSERT_TRUE(is_ok(v));
    EXPECT_EQ(v["killed"]["sockets"], 1) << v.dump();
    EXPECT_TRUE(conn.wait_closed(kResetLimit)) << "the policy makes a plain revoke kill";
    // `kill: false` still asks for a revoke that leaves the session alone.
    auto w = revoke(spared, false);
    ASSERT_TRUE(is_ok(w));
    EXPECT_FALSE(w.contains("killed")) << w.dump();
    EXPECT_TRUE(kept.echo("still connected\n"));
}

TEST_F(Kill, KillRequiresABoolean) {
    auto& d = start();
    const std::string id = grant(TestAddrs::client4);
    auto r = d.request({{"op", "revoke"}, {"id", id}, {"kill", "yes"}}, users().requester.id);
    EXPECT_TRUE(is_error(r, "bad_request"));
    EXPECT_TRUE(find_grant(d.request({{"op", "list"}}), id)) << "a bad request changes nothing";
}

// A session open before the first install is picked up through its pickup4 tuple; killing it
// forgets the tuple too, so conntrack can never pick the session up again.
TEST_F(Kill, KillForgetsTheSessionsPickup) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    d.stop(SIGTERM);
    run_ok(d.net().server().exec({DaemonFixture::binary(), "--remove-table"}));
    TcpClient conn(d.net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    ASSERT_TRUE(conn.connected());
    d.start();  // the first install: the session is found and may be picked up
    EXPECT_NE(pickup4().find(pickup_text(conn)), std::string::npos) << pickup4();
    EXPECT_TRUE(conn.echo("picked up\n"));
    const std::string id = grant(TestAddrs::client4);
    ASSERT_TRUE(is_ok(revoke(id, true)));
    EXPECT_TRUE(conn.wait_closed(kResetLimit));
    EXPECT_EQ(pickup4().find(pickup_text(conn)), std::string::npos) << pickup4();
    auto e = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", id}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_KILLED_PICKUPS"), "1");
}

}  // namespace
}  // namespace jitd::test
