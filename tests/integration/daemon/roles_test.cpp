// Who may do what: every role against every op, with real unprivileged users whose role
// group is a supplementary group, plus the policy without an access section (root only).
#include <string>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

class Roles : public DaemonTest {
  protected:
    // A live grant of `who` from a fresh address in 198.51.100.0/24 on 22.
    std::string grant_of(const Identity& who) {
        std::string src = "198.51.100." + std::to_string(next_host_++);
        auto r = daemon().request(open_request(22, src, "1h"), who);
        EXPECT_TRUE(is_ok(r)) << src;
        return r["grant"].value("id", "");
    }
    json revoke(const std::string& id) { return {{"op", "revoke"}, {"id", id}}; }
    json extend(const std::string& id) {
        return {{"op", "extend"}, {"id", id}, {"duration", "30m"}};
    }

    int next_host_ = 10;
};

TEST_F(Roles, StatusAndListNameTheRole) {
    auto& d = start();
    struct Case {
        const TestUser* user;
        const char* role;
    };
    for (const Case& c : {Case{&users().admin, "admin"}, Case{&users().requester, "requester"},
                          Case{&users().viewer, "viewer"}}) {
        SCOPED_TRACE(c.role);
        auto s = d.request({{"op", "status"}}, c.user->id);
        ASSERT_TRUE(is_ok(s));
        EXPECT_EQ(s.value("role", ""), c.role);
        EXPECT_EQ(s.value("user", ""), c.user->name);
        EXPECT_TRUE(is_ok(d.request({{"op", "list"}}, c.user->id)));
    }
    auto s = d.request({{"op", "status"}});
    ASSERT_TRUE(is_ok(s));
    EXPECT_EQ(s.value("role", ""), "admin") << "root is always admin";
    EXPECT_EQ(s.value("user", ""), "root");
}

TEST_F(Roles, StatusShape) {
    auto& d = start();
    auto s = d.request({{"op", "status"}}, users().viewer.id);
    ASSERT_TRUE(is_ok(s));
    EXPECT_TRUE(s["version"].is_string());
    EXPECT_EQ(s["policy"], d.policy_path());
    EXPECT_TRUE(s["since"].is_string());
    EXPECT_EQ(s["grants"], 0);
    EXPECT_EQ(s["require_reason"], false);
    EXPECT_TRUE(s["always_allow"].is_array());
    ASSERT_TRUE(s["ports"].is_array());
    ASSERT_EQ(s["ports"].size(), 3u) << s.dump();
    const json& p22 = s["ports"][0];
    EXPECT_EQ(p22["port"], 22);
    EXPECT_EQ(p22["protocol"], "tcp");
    EXPECT_EQ(p22["max_duration"], "1h");
    EXPECT_EQ(p22["allowed_sources"], "any");
    EXPECT_EQ(p22["active_grants"], 0);
    EXPECT_EQ(s["ports"][1]["allowed_sources"],
              json::array({"198.51.100.0/24", "2001:db8:99::/64"}));
}

TEST_F(Roles, OpenNeedsRequester) {
    auto& d = start();
    EXPECT_TRUE(is_ok(d.request(open_request(22, "198.51.100.20", "1h"), users().admin.id)));
    EXPECT_TRUE(is_ok(d.request(open_request(22, "198.51.100.21", "1h"), users().requester.id)));
    EXPECT_TRUE(is_ok(d.request(open_request(22, "198.51.100.22", "1h"))));  // root
    EXPECT_TRUE(is_error(d.request(open_request(22, "198.51.100.23", "1h"), users().viewer.id),
                         "not_authorized"));
    EXPECT_TRUE(is_error(d.request(open_request(22, "198.51.100.24", "1h"), users().stranger.id),
                         "not_authorized"));
    EXPECT_EQ(listed_ids(d.request({{"op", "list"}})).size(), 3u);
}

TEST_F(Roles, RevokeAndExtendOwnOrAsAdmin) {
    start();
    const auto& adm = users().admin.id;
    const auto& req = users().requester.id;
    const auto& view = users().viewer.id;
    const auto& str = users().stranger.id;
    auto& d = daemon();

    // Own grants: requester and admin may.
    std::string own = grant_of(req);
    EXPECT_TRUE(is_ok(d.request(extend(own), req)));
    EXPECT_TRUE(is_ok(d.request(revoke(own), req)));
    std::string adm_own = grant_of(adm);
    EXPECT_TRUE(is_ok(d.request(extend(adm_own), adm)));
    EXPECT_TRUE(is_ok(d.request(revoke(adm_own), adm)));

    // Another's grant: only admin (and root).
    std::string admins = grant_of(adm);
    std::string reqs = grant_of(req);
    for (const Identity* who : {&req, &view, &str}) {
        SCOPED_TRACE("uid " + std::to_string(who->uid));
        EXPECT_TRUE(
            is_error(d.request(revoke(who == &req ? admins : reqs), *who), "not_authorized"));
        EXPECT_TRUE(
            is_error(d.request(extend(who == &req ? admins : reqs), *who), "not_authorized"));
    }
    EXPECT_EQ(listed_ids(d.request({{"op", "list"}})).size(), 2u) << "refusals changed nothing";
    EXPECT_TRUE(is_ok(d.request(extend(reqs), adm)));
    EXPECT_TRUE(is_ok(d.request(revoke(reqs), adm)));
    auto e = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", reqs}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_USER"), users().requester.name) << "the grant's owner";
    EXPECT_EQ(journal_field(*e, "JITD_ACTOR"), users().admin.name) << "who revoked it";
    EXPECT_TRUE(is_ok(d.request(extend(admins))));  // root
    EXPECT_TRUE(is_ok(d.request(revoke(admins))));
    EXPECT_TRUE(listed_ids(d.request({{"op", "list"}})).empty());
}

TEST_F(Roles, ReloadNeedsAdmin) {
    auto& d = start();
    EXPECT_TRUE(is_ok(d.request({{"op", "reload"}}, users().admin.id)));
    EXPECT_TRUE(is_ok(d.request({{"op", "reload"}})));
    for (const TestUser* u : {&users().requester, &users().viewer, &users().stranger})
        EXPECT_TRUE(is_error(d.request({{"op", "reload"}}, u->id), "not_authorized")) << u->name;
}

TEST_F(Roles, StrangerIsRefusedEverything) {
    auto& d = start();
    std::string id = grant_of(users().requester.id);
    const auto& s = users().stranger.id;
    for (const json& req :
         {json{{"op", "status"}}, json{{"op", "list"}}, open_request(22, "198.51.100.30", "1h"),
          revoke(id), extend(id), json{{"op", "reload"}}}) {
        SCOPED_TRACE(req.dump());
        EXPECT_TRUE(is_error(d.request(req, s), "not_authorized"));
    }
    auto e = journal_.wait_for_count({{"JITD_EVENT", "deny"},
                                      {"JITD_ERROR", "not_authorized"},
                                      {"JITD_UID", std::to_string(s.uid)}},
                                     6);
    EXPECT_EQ(e.size(), 6u) << "each refusal is journaled\n" << journal_.dump();
    if (!e.empty()) {
        EXPECT_EQ(journal_field(e[0], "JITD_USER"), users().stranger.name);
    }
}

TEST_F(Roles, UidWithoutAPasswdEntryIsAStranger) {
    auto& d = start();
    const Identity ghost{54321, 54321, {}};
    EXPECT_TRUE(is_error(d.request({{"op", "status"}}, ghost), "not_authorized"));
    EXPECT_TRUE(
        is_error(d.request(open_request(22, "198.51.100.31", "1h"), ghost), "not_authorized"));
    auto e = journal_.wait_for({{"JITD_EVENT", "deny"}, {"JITD_UID", "54321"}});
    ASSERT_TRUE(e) << journal_.dump();
    // "#<uid>", never a bare number a user could also be named (PROTOCOL.md).
    EXPECT_EQ(journal_field(*e, "JITD_USER"), "#54321");
    EXPECT_TRUE(is_ok(d.request({{"op", "status"}}, users().viewer.id)));
}

TEST_F(Roles, NoAccessSectionMeansRootOnly) {
    auto& d = start(make_policy({}));
    for (const TestUser* u :
         {&users().admin, &users().requester, &users().viewer, &users().stranger}) {
        SCOPED_TRACE(u->name);
        EXPECT_TRUE(is_error(d.request({{"op", "status"}}, u->id), "not_authorized"));
        EXPECT_TRUE(is_error(d.request({{"op", "list"}}, u->id), "not_authorized"));
        EXPECT_TRUE(
            is_error(d.request(open_request(22, "198.51.100.40", "1h"), u->id), "not_authorized"));
    }
    EXPECT_TRUE(is_ok(d.request({{"op", "status"}})));
    EXPECT_TRUE(is_ok(d.request(open_request(22, "198.51.100.40", "1h"))));
}

TEST_F(Roles, RolesByUserName) {
    PolicyOptions o;
    o.access = "access:\n  requesters: {users: [" + users().stranger.name +
               "]}\n  viewers: {users: [" + users().requester.name + "]}\n";
    auto& d = start(make_policy(o));
    EXPECT_TRUE(is_ok(d.request(open_request(22, "198.51.100.50", "1h"), users().stranger.id)));
    auto s = d.request({{"op", "status"}}, users().requester.id);
    ASSERT_TRUE(is_ok(s));
    EXPECT_EQ(s.value("role", ""), "viewer");
    EXPECT_TRUE(is_error(d.request(open_request(22, "198.51.100.51", "1h"), users().requester.id),
                         "not_authorized"));
    EXPECT_TRUE(is_error(d.request({{"op", "status"}}, users().admin.id), "not_authorized"));
}

}  // namespace
}  // namespace jitd::test
