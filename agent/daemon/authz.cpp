#include "agent/daemon/authz.hpp"

#include <algorithm>

#include "agent/daemon/op_table.hpp"

namespace jitd::agent {
namespace {

bool named_in(const config::Role& role, const Peer& peer) {
    if (std::find(role.users.begin(), role.users.end(), peer.user) != role.users.end()) return true;
    for (const auto& g : peer.groups)
        if (std::find(role.groups.begin(), role.groups.end(), g) != role.groups.end()) return true;
    return false;
}

}  // namespace

std::string_view to_string(Op op) {
    return op_spec(op).name;
}

std::string_view to_string(Role role) {
    switch (role) {
        case Role::viewer:
            return "viewer";
        case Role::requester:
            return "requester";
        case Role::admin:
            return "admin";
        case Role::none:
            break;
    }
    return "none";
}

Role role_of(const config::Access& access, const Peer& peer) {
    if (peer.uid == 0) return Role::admin;
    if (named_in(access.admins, peer)) return Role::admin;
    if (named_in(access.requesters, peer)) return Role::requester;
    if (named_in(access.viewers, peer)) return Role::viewer;
    return Role::none;
}

bool may_run(Role role, Op op) {
    const Role needed = op_spec(op).needed;
    if (needed == Role::none) return true;
    return role != Role::none && static_cast<int>(role) >= static_cast<int>(needed);
}

bool may_touch(Role role, Op op, bool own_grant) {
    if (!may_run(role, op)) return false;
    return !op_spec(op).own_grants_only || own_grant || role == Role::admin;
}

std::optional<Refusal> check_owner(Role role, Op op, const Peer& peer, const LiveGrant* grant) {
    if (grant == nullptr || may_touch(role, op, grant->grant.uid == peer.uid)) return std::nullopt;
    return Refusal{wire::ErrorCode::not_authorized,
                   "grant " + grant->grant.id + " belongs to " + grant->grant.user};
}

}  // namespace jitd::agent
