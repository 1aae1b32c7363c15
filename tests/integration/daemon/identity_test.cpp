// Who a peer is: its supplementary groups are those the kernel gave the connecting process
// (SO_PEERGROUPS), not what /etc/group lists; a connection is judged by the policy in force at
// each request and lives at most --max-connection-age; a reload revokes the grants of users it
// leaves without a role that may open.
#include <grp.h>

#include <string>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

class PeerIdentity : public DaemonTest {
  protected:
    static gid_t gid_of(const std::string& group) {
        const ::group* g = ::getgrnam(group.c_str());
        if (g == nullptr) throw std::runtime_error("no group " + group);
        return g->gr_gid;
    }
    // The default policy without the requesters' role.
    std::string policy_without_requesters() const {
        std::string p = default_policy();
        auto from = p.find("  requesters:");
        auto to = p.find('\n', from);
        if (from == std::string::npos) throw std::runtime_error("no requesters in " + p);
        return p.erase(from, to - from + 1);
    }
    DaemonOptions long_idle() const {
        DaemonOptions o;
        o.idle_timeout_s = 60;
        return o;
    }
};

// As `setpriv --clear-groups` would run it: the admin user with no supplementary groups.
TEST_F(PeerIdentity, ProcessThatClearedItsGroupsIsNotAdmin) {
    auto& d = start();
    Identity cleared = users().admin.id;
    cleared.groups.clear();
    auto s = d.request({{"op", "status"}}, cleared);
    EXPECT_TRUE(is_error(s, "not_authorized")) << "no group, no role";
    EXPECT_TRUE(is_error(d.request({{"op", "reload"}}, cleared), "not_authorized"));
    EXPECT_TRUE(is_ok(d.request({{"op", "reload"}}, users().admin.id))) << "with its groups";
}

// As `setpriv --groups=<requesters>` would run it: the group is held through the kernel only.
TEST_F(PeerIdentity, GroupHeldOnlyThroughTheKernelCounts) {
    auto& d = start();
    Identity given = users().stranger.id;
    given.groups = {gid_of(users().requester_group())};
    auto s = d.request({{"op", "status"}}, given);
    ASSERT_TRUE(is_ok(s));
    EXPECT_EQ(s.value("role", ""), "requester");
    EXPECT_EQ(s.value("user", ""), users().stranger.name);
    EXPECT_TRUE(is_ok(d.request(open_request(22, "198.51.100.40", "1h"), given)));
    EXPECT_TRUE(is_error(d.request({{"op", "status"}}, users().stranger.id), "not_authorized"))
        << "the same user without the group";
}

TEST_F(PeerIdentity, ConnectionOpenAcrossAReloadIsJudgedByTheNewPolicy) {
    auto& d = start(std::nullopt, long_idle());
    SocketClient c = d.connect_as(users().requester.id);
    auto before = c.request({{"op", "status"}});
    ASSERT_TRUE(is_ok(before));
    ASSERT_EQ(before.value("role", ""), "requester");
    d.rewrite_policy(policy_without_requesters());
    ASSERT_TRUE(is_ok(d.request({{"op", "reload"}})));
    EXPECT_TRUE(is_error(c.request(open_request(22, "198.51.100.41", "1h")), "not_authorized"));
    EXPECT_TRUE(is_error(c.request({{"op", "status"}}), "not_authorized"));
}

TEST_F(PeerIdentity, ConnectionIsClosedAtItsMaximumAge) {
    DaemonOptions o = long_idle();
    o.extra_args = {"--max-connection-age", "2"};
    auto& d = start(std::nullopt, o);
    SocketClient c = d.connect();
    ASSERT_TRUE(is_ok(c.request({{"op", "status"}})));
    // Busy all along (never idle): still closed once it is 2 s old.
    bool closed = poll_until(
        [&] {
            try {
                return !c.request({{"op", "status"}}, std::chrono::milliseconds(2000))
                            .value("ok", false);
            } catch (const std::exception&) {
                return true;
            }
        },
        std::chrono::seconds(30));
    EXPECT_TRUE(closed) << "a busy connection outlived --max-connection-age";
    EXPECT_TRUE(is_ok(d.request({{"op", "status"}}))) << "new connections are served";
}

// Finding: an admin's reload left the grants of a user it took the role from in place.
TEST_F(PeerIdentity, ReloadRevokesTheGrantsOfUsersWhoLostTheirRole) {
    auto& d = start(std::nullopt, long_idle());
    TcpEchoServer ssh(d.net().server(), 22);
    auto req = d.request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
    auto adm = d.request(open_request(22, TestAddrs::client6, "1h"), users().admin.id);
    ASSERT_TRUE(is_ok(req) && is_ok(adm));
    const std::string req_id = req["grant"]["id"], adm_id = adm["grant"]["id"];
    ASSERT_TRUE(tcp_open(TestAddrs::client4, 22));

    d.rewrite_policy(policy_without_requesters());
    auto r = d.request({{"op", "reload"}}, users().admin.id);
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(r["revoked"], json::array({req_id})) << r.dump();
    auto e = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", req_id}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_CAUSE"), "policy");
    EXPECT_EQ(journal_field(*e, "JITD_USER"), users().requester.name);
    EXPECT_TRUE(wait_tcp_closed(TestAddrs::client4, 22)) << "the door closed with the role";
    EXPECT_TRUE(tcp_open(TestAddrs::client6, 22)) << "the admin's grant stays";
    EXPECT_EQ(listed_ids(d.request({{"op", "list"}})), std::vector<std::string>{adm_id});
}

// A user whose role comes from a group held through the kernel only: judged by its open
// connection while there is one, by NSS (no role) once there is none.
TEST_F(PeerIdentity, ReloadJudgesOwnersByTheirOpenConnectionsElseByNss) {
    auto& d = start(std::nullopt, long_idle());
    Identity given = users().stranger.id;
    given.groups = {gid_of(users().requester_group())};
    SocketClient c = d.connect_as(given);
    auto g = c.request(open_request(22, TestAddrs::client4, "1h"));
    ASSERT_TRUE(is_ok(g));
    const std::string id = g["grant"]["id"];

    auto kept = d.request({{"op", "reload"}});
    ASSERT_TRUE(is_ok(kept));
    EXPECT_TRUE(kept["revoked"].empty()) << "its connection shows the role: " << kept.dump();

    c.close();
    bool revoked_by_reload = false;
    bool gone = poll_until([&] {  // the daemon sees the close asynchronously
        auto r = d.request({{"op", "reload"}});
        if (is_ok(r) && r["revoked"] == json::array({id})) revoked_by_reload = true;
        return listed_ids(d.request({{"op", "list"}})).empty();
    });
    EXPECT_TRUE(gone) << "no connection left: NSS gives the stranger no role";
    EXPECT_TRUE(revoked_by_reload);
}

}  // namespace
}  // namespace jitd::test
