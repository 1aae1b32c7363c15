// The policy model: what /etc/jitd/policy.yaml says, validated. See DESIGN.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cidr.hpp"

namespace jitd::config {

// The one place protocols and ports become text and back (policy, wire, client, journal).
enum class Protocol : std::uint8_t { tcp, udp, any };
const char* to_string(Protocol p);
// "tcp", "udp", "any"; nothing else.
std::optional<Protocol> protocol_from_text(std::string_view text);
// "22/tcp", "3389/any".
std::string port_text(std::uint16_t port, Protocol p);

inline constexpr std::chrono::seconds kDefaultMaxDuration{3 * 3600};
inline constexpr std::chrono::seconds kMaxMaxDuration{7 * 24 * 3600};

struct Role {
    std::vector<std::string> users;
    std::vector<std::string> groups;
};

// `approval:` of a port: a second person decides each open (the two-person rule).
inline constexpr std::chrono::seconds kDefaultApprovalWait{15 * 60};
inline constexpr std::chrono::seconds kMaxApprovalWait{24 * 3600};
struct Approval {
    Role approvers;         // users and/or groups; never empty
    unsigned required = 1;  // distinct approvers; the requester never counts
    std::chrono::seconds wait = kDefaultApprovalWait;  // undecided requests lapse after this
    bool admins_bypass = false;                        // an admin's own open needs no approval
    std::vector<std::string> notify;                   // argv run for each new request; empty: none
};

struct PortRule {
    std::uint16_t port = 0;
    Protocol protocol = Protocol::any;
    std::chrono::seconds max_duration = kDefaultMaxDuration;
    // How long extends and supersedes may keep one door open, from the start of the first
    // grant of the chain; none: no bound. At least max_duration.
    std::optional<std::chrono::seconds> max_total_duration;
    bool any_source = true;             // `allowed_sources: any`
    std::vector<Cidr> allowed_sources;  // when !any_source
    std::optional<Approval> approval;   // present: every open of this port waits for approvers
    // True when `p` (tcp or udp) is one of the protocols this rule covers.
    bool covers(Protocol p) const { return protocol == Protocol::any || protocol == p; }
};

struct Access {
    Role admins;      // root is always admin, whatever this says
    Role requesters;  // open for themselves, revoke/extend their own
    Role viewers;     // list and status
};

struct Limits {
    unsigned max_grants_per_user = 16;
    unsigned widest_ipv4 = 16;  // widest prefix any one grant may cover
    unsigned widest_ipv6 = 48;
    // Link-local sources (169.254.0.0/16, fe80::/10) carry no interface in a grant, so one
    // would match that address on every interface: refused unless this is true.
    bool allow_link_local = false;
};

// `remote:`: requests that arrive as one UDP datagram (fwknop SPA), see jitd-policy(5).
inline constexpr std::uint16_t kDefaultRemotePort = 62201;
struct Remote {
    std::uint16_t port = kDefaultRemotePort;
    std::chrono::seconds max_age{120};               // |now - request time| at most this
    std::chrono::seconds default_duration{15 * 60};  // when the request names none (capped)
    bool packet_source = false;  // may a request ask for "the address this packet came from"
    std::optional<std::string> user_ca;  // parsed only (signed requests, a later part)
    std::string keys = "/etc/jitd/keys";
    std::vector<std::string> host_names;  // parsed only (signed requests, a later part)
};

struct Policy {
    std::string origin;  // file name used in messages
    std::vector<PortRule> ports;
    Access access;
    std::vector<Cidr> always_allow;
    bool require_reason = false;
    bool revoke_kills_sessions = false;  // a revoke without `kill` also ends the sessions
    Limits limits;
    std::optional<Remote> remote;  // absent: no remote requests, nothing in the kernel for them

    // The rule protecting `port` for `protocol` (tcp or udp), or nullptr. For `any`: the rule
    // whose protocol is `any` (covering both), or nullptr.
    const PortRule* find(std::uint16_t port, Protocol protocol) const;
    // The rule for `port` whatever its protocol, or nullptr.
    const PortRule* find_port(std::uint16_t port) const;
};

// The policy used when the file has no `ports` key: 22, 3389, 5985, 5986, any protocol, 3h,
// any source; access empty (only root).
std::vector<PortRule> default_ports();

}  // namespace jitd::config
