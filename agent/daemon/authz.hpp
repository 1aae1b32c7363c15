// Authorization in one place, deny by default: the role the access lists give a peer, and
// what the op table (op_table.hpp) lets that role do.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/daemon/grant_rules.hpp"
#include "agent/daemon/peer.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

enum class Op : std::uint8_t {
    open,
    list,
    status,
    revoke,
    extend,
    reload,
    pending,
    approve,
    reject,
    cancel
};
// Roles nest: admin ⊇ requester ⊇ viewer. `none` may do nothing.
enum class Role : std::uint8_t { none, viewer, requester, admin };

std::string_view to_string(Op op);
std::string_view to_string(Role role);

// The highest role the access lists give the peer. Root is always admin; an empty access
// section therefore admits only root.
Role role_of(const config::Access& access, const Peer& peer);

// May `role` run `op` at all? An op that needs Role::none is open to every peer; its handler
// decides (approvers need no role of their own).
bool may_run(Role role, Op op);
// May `role` run `op` on a grant that is (or is not) the peer's own?
bool may_touch(Role role, Op op, bool own_grant);
// The own-grants rule for `op` on `grant` (owners compared by uid): not_authorized when the
// peer may not touch it; nullopt when they may, or when there is no such grant (the handler
// then answers not_found).
std::optional<Refusal> check_owner(Role role, Op op, const Peer& peer, const LiveGrant* grant);

}  // namespace jitd::agent
