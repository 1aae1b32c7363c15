// Who may see and decide pending requests (the two-person rule). Pure, like grant_rules.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/daemon/authz.hpp"
#include "agent/daemon/grant_rules.hpp"
#include "agent/daemon/peer.hpp"
#include "agent/daemon/pending_book.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

// The approval the policy asks for an open of `port` (protocol omitted: the port's own rule);
// nullptr when it asks none (or the port is not protected: check_open refuses that).
const config::Approval* approval_for(const config::Policy& policy, std::uint16_t port,
                                     std::optional<config::Protocol> protocol);
// The approval of a pending request's port under `policy` (nullptr: none any more).
const config::Approval* approval_of(const config::Policy& policy, const PendingRequest& p);
// An open by `role` of a port with `approval` waits for approvers (admins_bypass lets an
// admin's own open through).
bool needs_approval(const config::Approval* approval, Role role);
// Named in the approvers, by user name or by one of the kernel groups the peer holds.
bool is_approver(const config::Approval& approval, const Peer& peer);

// May the peer see `p` in `pending`: an admin, its requester, or an approver of its port now.
bool may_see(const config::Policy& policy, const PendingRequest& p, const Peer& peer, Role role);
// approve and reject: the request exists (not_found), the peer is not its requester (never,
// not even an admin) and is an approver of its port under the policy now, or an admin
// (not_authorized); approve: not twice by the same person (already_approved).
std::optional<Refusal> check_decide(const config::Policy& policy, const PendingRequest* p,
                                    const std::string& id, const Peer& peer, Role role,
                                    bool approve);
// cancel: the request exists, and the peer is its requester or an admin.
std::optional<Refusal> check_cancel(const PendingRequest* p, const std::string& id,
                                    const Peer& peer, Role role);

}  // namespace jitd::agent
