// The authorization table: every role against every op, root always admin, deny by default.
#include <gtest/gtest.h>

#include "agent/daemon/authz.hpp"

namespace jitd::agent {
namespace {

Peer peer(uid_t uid, std::string user, std::vector<std::string> groups) {
    Peer p;
    p.uid = uid;
    p.gid = uid;
    p.user = std::move(user);
    p.groups = std::move(groups);
    return p;
}

config::Access access() {
    config::Access a;
    a.admins.users = {"alice"};
    a.admins.groups = {"sudo"};
    a.requesters.groups = {"jit"};
    a.requesters.users = {"rob"};
    a.viewers.groups = {"adm"};
    return a;
}

TEST(Authz, RolesFromUsersAndGroups) {
    auto a = access();
    EXPECT_EQ(role_of(a, peer(0, "root", {"root"})), Role::admin);
    EXPECT_EQ(role_of(a, peer(1001, "alice", {"alice"})), Role::admin);
    EXPECT_EQ(role_of(a, peer(1002, "bob", {"bob", "sudo"})), Role::admin);
    EXPECT_EQ(role_of(a, peer(1003, "carol", {"carol", "jit"})), Role::requester);
    EXPECT_EQ(role_of(a, peer(1004, "rob", {"rob"})), Role::requester);
    EXPECT_EQ(role_of(a, peer(1005, "dave", {"dave", "adm"})), Role::viewer);
    EXPECT_EQ(role_of(a, peer(1006, "eve", {"eve", "users"})), Role::none);
    // The highest role wins when several lists name the peer.
    EXPECT_EQ(role_of(a, peer(1007, "fay", {"adm", "jit", "sudo"})), Role::admin);
}

TEST(Authz, EmptyAccessAdmitsOnlyRoot) {
    config::Access empty;
    EXPECT_EQ(role_of(empty, peer(0, "root", {})), Role::admin);
    EXPECT_EQ(role_of(empty, peer(1000, "alice", {"sudo", "wheel", "jit", "adm"})), Role::none);
    // Root by uid, not by name: a user called "root" with another uid is nobody.
    EXPECT_EQ(role_of(empty, peer(4242, "root", {"root"})), Role::none);
}

TEST(Authz, EveryRoleAgainstEveryOp) {
    struct Row {
        Role role;
        bool open, list, status, revoke, extend, reload;
    };
    const Row table[] = {
        {Role::none, false, false, false, false, false, false},
        {Role::viewer, false, true, true, false, false, false},
        {Role::requester, true, true, true, true, true, false},
        {Role::admin, true, true, true, true, true, true},
    };
    for (const auto& row : table) {
        SCOPED_TRACE(std::string(to_string(row.role)));
        EXPECT_EQ(may_run(row.role, Op::open), row.open);
        EXPECT_EQ(may_run(row.role, Op::list), row.list);
        EXPECT_EQ(may_run(row.role, Op::status), row.status);
        EXPECT_EQ(may_run(row.role, Op::revoke), row.revoke);
        EXPECT_EQ(may_run(row.role, Op::extend), row.extend);
        EXPECT_EQ(may_run(row.role, Op::reload), row.reload);
    }
}

TEST(Authz, OwnGrantsOnlyBelowAdmin) {
    for (Op op : {Op::revoke, Op::extend}) {
        EXPECT_TRUE(may_touch(Role::requester, op, true));
        EXPECT_FALSE(may_touch(Role::requester, op, false));
        EXPECT_TRUE(may_touch(Role::admin, op, false));
        EXPECT_FALSE(may_touch(Role::viewer, op, true));
        EXPECT_FALSE(may_touch(Role::none, op, true));
    }
}

TEST(Authz, TableNamesEveryOpOnce) {
    for (std::size_t i = 0; i < kOpRules.size(); ++i) {
        EXPECT_EQ(static_cast<std::size_t>(kOpRules[i].op), i);
        EXPECT_EQ(op_rule_by_name(kOpRules[i].name), &kOpRules[i]);
    }
    EXPECT_EQ(op_rule_by_name("shutdown"), nullptr);
}

}  // namespace
}  // namespace jitd::agent
