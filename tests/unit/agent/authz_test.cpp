// The authorization table: every role against every op, root always admin, deny by default.
#include <gtest/gtest.h>

#include "agent/daemon/authz.hpp"
#include "agent/daemon/op_table.hpp"

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
    const auto table = op_table();
    for (std::size_t i = 0; i < table.size(); ++i) {
        EXPECT_EQ(static_cast<std::size_t>(table[i].op), i);
        EXPECT_EQ(op_spec_by_name(table[i].name), &table[i]);
        EXPECT_EQ(&op_spec(table[i].op), &table[i]);
        EXPECT_NE(table[i].parse, nullptr);
        EXPECT_NE(table[i].incomplete, nullptr);
        EXPECT_NE(table[i].handle, nullptr);
    }
    EXPECT_EQ(op_spec_by_name("shutdown"), nullptr);
}

// The own-grants rule, decided once from the op table before revoke/extend run; owners are
// uids, so a renamed user keeps their grants and another uid with the same name does not
// get them.
TEST(Authz, CheckOwnerComparesUids) {
    LiveGrant g;
    g.grant.id = "g-00000000000d";
    g.grant.user = "alice";
    g.grant.uid = 1001;
    const Peer owner = peer(1001, "alice", {"jit"});
    const Peer renamed = peer(1001, "alice2", {"jit"});
    const Peer impostor = peer(1009, "alice", {"jit"});
    const Peer admin = peer(1002, "bob", {"sudo"});
    for (Op op : {Op::revoke, Op::extend}) {
        SCOPED_TRACE(std::string(to_string(op)));
        EXPECT_FALSE(check_owner(Role::requester, op, owner, &g));
        EXPECT_FALSE(check_owner(Role::requester, op, renamed, &g));
        auto refused = check_owner(Role::requester, op, impostor, &g);
        ASSERT_TRUE(refused);
        EXPECT_EQ(refused->code, wire::ErrorCode::not_authorized);
        EXPECT_EQ(refused->message, "grant g-00000000000d belongs to alice");
        EXPECT_FALSE(check_owner(Role::admin, op, admin, &g));
        // No such grant: the handler answers not_found, so an id's existence is not hidden
        // behind not_authorized (as before the op table).
        EXPECT_FALSE(check_owner(Role::requester, op, impostor, nullptr));
    }
}

}  // namespace
}  // namespace jitd::agent
