#include "agent/daemon/authz.hpp"

#include <algorithm>

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
    return op_rule(op).name;
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

const OpRule& op_rule(Op op) {
    return kOpRules[static_cast<std::size_t>(op)];
}

const OpRule* op_rule_by_name(std::string_view name) {
    for (const auto& r : kOpRules)
        if (r.name == name) return &r;
    return nullptr;
}

Role role_of(const config::Access& access, const Peer& peer) {
    if (peer.uid == 0) return Role::admin;
    if (named_in(access.admins, peer)) return Role::admin;
    if (named_in(access.requesters, peer)) return Role::requester;
    if (named_in(access.viewers, peer)) return Role::viewer;
    return Role::none;
}

bool may_run(Role role, Op op) {
    return role != Role::none && static_cast<int>(role) >= static_cast<int>(op_rule(op).needed);
}

bool may_touch(Role role, Op op, bool own_grant) {
    if (!may_run(role, op)) return false;
    const OpRule& r = op_rule(op);
    return !r.own_only_below_admin || own_grant || role == Role::admin;
}

}  // namespace jitd::agent
