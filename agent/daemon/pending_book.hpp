// Requests waiting for approvers (the two-person rule, docs/DESIGN.md "Approvals"): what was
// asked, by whom, who approved so far and when the request lapses. An in-memory index like the
// grant book; the kernel holds the same in the `pending` set (pending_elements.hpp), from which
// a restart rebuilds it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/wire/timefmt.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

struct Approver {
    std::string user;  // shown; after a restart the name NSS gives for the uid
    uid_t uid = 0;
    friend bool operator==(const Approver&, const Approver&) = default;
};

struct PendingRequest {
    std::string id;  // "r-" + 12 lower-case hex digits
    std::string user;
    uid_t uid = 0;
    std::string channel = "socket";  // how it came (JITD_CHANNEL of the resulting grant)
    std::uint16_t port = 0;
    config::Protocol protocol = config::Protocol::tcp;  // resolved (may be any)
    std::string source;                                 // with its length: "203.0.113.7/32"
    std::chrono::seconds duration{0};                   // counted from the last approval
    std::string reason;
    bool reason_cut = false;  // only part of the reason survived a restart (kernel comment)
    wire::SysSeconds requested{};
    wire::SysSeconds lapses{};
    unsigned required = 1;
    std::vector<Approver> approvals;  // distinct, in order

    bool approved_by(uid_t u) const;
    // "alice,bob": JITD_APPROVERS.
    std::string approver_list() const;
};

// The wire object of a pending request (agent/PROTOCOL.md "The pending object").
nlohmann::json to_json(const PendingRequest& p);

class PendingBook {
  public:
    void add(PendingRequest p);
    const PendingRequest* find(std::string_view id) const;
    PendingRequest* find(std::string_view id);
    // The request, removed; nullopt when unknown.
    std::optional<PendingRequest> take(std::string_view id);
    std::size_t size() const { return by_id_.size(); }
    std::size_t count_of(uid_t uid) const;
    // Oldest first.
    void for_each(const std::function<void(const PendingRequest&)>& fn) const;
    // The ids whose lapse time is at or before `now`.
    std::vector<std::string> due(wire::SysSeconds now) const;
    std::optional<wire::SysSeconds> next_lapse() const;
    void clear() { by_id_.clear(); }

  private:
    std::map<std::string, PendingRequest, std::less<>> by_id_;
};

// "r-" + 12 random lower-case hex digits (getrandom), and its check.
std::string new_request_id();
bool is_request_id(std::string_view s);

}  // namespace jitd::agent
