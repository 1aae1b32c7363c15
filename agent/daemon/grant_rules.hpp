// The policy's verdict on opening, extending and revoking grants. Pure: no kernel, no journal,
// so every refusal can be tested on its own.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "agent/daemon/grant_book.hpp"
#include "agent/wire/error_code.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

struct Refusal {
    wire::ErrorCode code;
    std::string message;
};

// Who asks, as the rules need it. Owners are compared by uid; the name is for messages.
struct Actor {
    std::string user;
    uid_t uid = 0;
    bool admin = false;
};

struct OpenRequest {
    std::uint16_t port = 0;
    std::optional<config::Protocol> protocol;  // omitted = the port's own
    std::string source;
    std::optional<std::chrono::seconds> duration;  // omitted = the port's max_duration
    std::string reason;
};

// A grant the policy allows, ready for the kernel (its id still empty).
struct OpenPlan {
    LiveGrant grant;
    const config::PortRule* rule = nullptr;
    std::optional<std::string> supersedes;  // id of the live grant this one replaces
};

// What refusals know of the request, for the journal (protocol resolved, source parsed).
struct OpenFacts {
    std::optional<config::Protocol> protocol;
    std::optional<std::string> source;
};

// Checks in this order: port protected, protocol allowed, source valid, source allowed,
// duration (omitted: the port's max_duration is granted), reason, overlap with another's
// grant of the same key, max_total_duration (for a supersede), per-user limit, overlap with a
// live prefix.
std::variant<Refusal, OpenPlan> check_open(const config::Policy& policy, const GrantBook& book,
                                           const Actor& actor, const OpenRequest& req,
                                           wire::SysSeconds now, OpenFacts* facts = nullptr);

// extend: the grant exists, its port is still protected and `duration` is within the port's
// max_duration. (Whose grant it is, the op table decides first: check_owner in authz.hpp.)
std::optional<Refusal> check_extend(const config::Policy& policy, const LiveGrant* grant,
                                    const std::string& id, std::chrono::seconds duration);
// max_total_duration: a grant of `chain` (its keys) ending at `end` must not keep the door
// open longer than the bound of any rule its keys fall under, counted from `chain_began`.
std::optional<Refusal> check_total(const config::Policy& policy, const LiveGrant& chain,
                                   wire::SysSeconds chain_began, wire::SysSeconds end);

// revoke: the grant exists (its owner: check_owner, as for extend).
std::optional<Refusal> check_revoke(const LiveGrant* grant, const std::string& id);

// Whether a live grant is still allowed by `policy` (its port/protocol protected, its source
// allowed). Returns "" when it is, otherwise why not.
std::string disallowed_by(const config::Policy& policy, const LiveGrant& grant);

}  // namespace jitd::agent
