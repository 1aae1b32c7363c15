// A pending request as elements of the kernel's `pending` set (nft/pending.cpp), so that it
// survives a restart with its approvals and lapse time, and nothing can disagree with the
// kernel. Key (64 bits): the request id's 48 bits, then a 16-bit slot: 0 for the request, 1..16
// for the approvals in order. Every element times out at the request's lapse.
//
//   request:  jitd-r:<uid>:<port>:<t|u|a>:<duration s>:<requested unix s>:<required>
//             :<s|r channel>:<source>[:r=<reason>]   (an IPv6 source holds ':' but never 'r')
//   approval: jitd-a:<uid>:<unix s>
//
// Numbers, a CIDR and the reason encoded as in grant comments (comment_reason.hpp): no NSS or
// policy text reaches the kernel. The reason gets what the rest leaves of 127 bytes (an IPv6
// source leaves less); a longer one is kept cut (`:r~`), whole in the `request` journal entry.
// Names are looked up by uid (NSS) after a restart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/daemon/pending_book.hpp"
#include "nft/model.hpp"

namespace jitd::agent {

inline constexpr std::string_view kPendingPrefix = "jitd-r:";
inline constexpr std::string_view kApprovalPrefix = "jitd-a:";
inline constexpr unsigned kMaxApprovalSlots = 16;

// The request id's key for `slot`; nullopt for an id that is not "r-" + 12 hex.
std::optional<std::uint64_t> pending_key(std::string_view id, unsigned slot);
// The request id and slot of a key.
std::string request_id_of(std::uint64_t key);
unsigned slot_of(std::uint64_t key);

std::string format_pending_comment(const PendingRequest& p);
std::string format_approval_comment(const Approver& a, wire::SysSeconds at);

// What a request element says (names not yet filled in); nullopt when it is not exactly our
// format.
std::optional<PendingRequest> parse_pending_comment(std::string_view text);
// An approval element's approver uid; nullopt when it is not exactly our format.
std::optional<uid_t> parse_approval_comment(std::string_view text);

// Every element of `p` (the request and each approval), timing out at p.lapses from `now`.
std::vector<nft::PendingElement> elements_of(const PendingRequest& p, wire::SysSeconds now);

struct RebuiltPending {
    std::vector<PendingRequest> requests;  // ids, uids, lapses from the kernel's remaining time
    std::vector<std::uint64_t> strays;     // keys no request explains: to be removed
};
// The requests the set's elements describe; `now` is when they were listed. Names are left
// empty (the caller asks NSS).
RebuiltPending rebuild_pending_requests(const std::vector<nft::PendingElement>& elements,
                                        std::chrono::sys_time<std::chrono::milliseconds> now);

}  // namespace jitd::agent
