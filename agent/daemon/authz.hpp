// Authorization in one place: a table op -> required role, deny by default.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "agent/daemon/peer.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

enum class Op : std::uint8_t { open, list, status, revoke, extend, reload };
// Roles nest: admin ⊇ requester ⊇ viewer. `none` may do nothing.
enum class Role : std::uint8_t { none, viewer, requester, admin };

std::string_view to_string(Op op);
std::string_view to_string(Role role);

struct OpRule {
    Op op;
    std::string_view name;  // the wire name
    Role needed;
    bool own_only_below_admin;  // requesters may touch only their own grants
};

inline constexpr std::array<OpRule, 6> kOpRules{{
    {Op::open, "open", Role::requester, false},
    {Op::list, "list", Role::viewer, false},
    {Op::status, "status", Role::viewer, false},
    {Op::revoke, "revoke", Role::requester, true},
    {Op::extend, "extend", Role::requester, true},
    {Op::reload, "reload", Role::admin, false},
}};

const OpRule& op_rule(Op op);
// nullptr for an unknown name.
const OpRule* op_rule_by_name(std::string_view name);

// The highest role the access lists give the peer. Root is always admin; an empty access
// section therefore admits only root.
Role role_of(const config::Access& access, const Peer& peer);

// May `role` run `op` at all?
bool may_run(Role role, Op op);
// May `role` run `op` on a grant that is (or is not) the peer's own?
bool may_touch(Role role, Op op, bool own_grant);

}  // namespace jitd::agent
