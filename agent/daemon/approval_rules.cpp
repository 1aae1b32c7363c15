#include "agent/daemon/approval_rules.hpp"

#include <algorithm>

namespace jitd::agent {
namespace {

using wire::ErrorCode;

Refusal unknown(const std::string& id) {
    return {ErrorCode::not_found, "no pending request " + id + " (decided, cancelled or lapsed)"};
}

}  // namespace

const config::Approval* approval_for(const config::Policy& policy, std::uint16_t port,
                                     std::optional<config::Protocol> protocol) {
    const config::PortRule* rule = protocol ? policy.find(port, *protocol) : policy.find_port(port);
    if (rule == nullptr || !rule->approval) return nullptr;
    return &*rule->approval;
}

const config::Approval* approval_of(const config::Policy& policy, const PendingRequest& p) {
    const auto proto = p.protocol == config::Protocol::any
                           ? std::nullopt
                           : std::optional<config::Protocol>(p.protocol);
    return approval_for(policy, p.port, proto);
}

bool needs_approval(const config::Approval* approval, Role role) {
    if (approval == nullptr) return false;
    return !(role == Role::admin && approval->admins_bypass);
}

bool is_approver(const config::Approval& approval, const Peer& peer) {
    const auto& who = approval.approvers;
    if (std::find(who.users.begin(), who.users.end(), peer.user) != who.users.end()) return true;
    return std::any_of(peer.groups.begin(), peer.groups.end(), [&](const std::string& g) {
        return std::find(who.groups.begin(), who.groups.end(), g) != who.groups.end();
    });
}

bool may_see(const config::Policy& policy, const PendingRequest& p, const Peer& peer, Role role) {
    if (role == Role::admin || p.uid == peer.uid) return true;
    const config::Approval* a = approval_of(policy, p);
    return a != nullptr && is_approver(*a, peer);
}

std::optional<Refusal> check_decide(const config::Policy& policy, const PendingRequest* p,
                                    const std::string& id, const Peer& peer, Role role,
                                    bool approve) {
    if (p == nullptr) return unknown(id);
    const std::string verb = approve ? "approve" : "reject";
    if (p->uid == peer.uid) {
        return Refusal{ErrorCode::not_authorized,
                       "request " + id + " is your own: another person must " + verb + " it"};
    }
    const config::Approval* a = approval_of(policy, *p);
    if (role != Role::admin && (a == nullptr || !is_approver(*a, peer))) {
        return Refusal{ErrorCode::not_authorized, peer.user + " is not an approver of " +
                                                      config::port_text(p->port, p->protocol) +
                                                      " and may not " + verb + " " + id};
    }
    if (approve && p->approved_by(peer.uid)) {
        return Refusal{ErrorCode::already_approved,
                       "you already approved " + id + "; it waits for " +
                           std::to_string(p->required - p->approvals.size()) +
                           " more distinct approvers"};
    }
    return std::nullopt;
}

std::optional<Refusal> check_cancel(const PendingRequest* p, const std::string& id,
                                    const Peer& peer, Role role) {
    if (p == nullptr) return unknown(id);
    if (p->uid != peer.uid && role != Role::admin) {
        return Refusal{ErrorCode::not_authorized,
                       "request " + id + " belongs to " + p->user + "; only they may cancel it"};
    }
    return std::nullopt;
}

}  // namespace jitd::agent
