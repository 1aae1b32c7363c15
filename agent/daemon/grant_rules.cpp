#include "agent/daemon/grant_rules.hpp"

#include <algorithm>
#include <iterator>

#include "agent/daemon/policy_bridge.hpp"
#include "config/duration.hpp"

namespace jitd::agent {
namespace {

bool is_v4_mapped(const config::Cidr& c) {
    static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return c.family == config::Cidr::Family::ipv6 && c.prefix_len >= 96 &&
           std::equal(std::begin(kPrefix), std::end(kPrefix), c.bytes.begin());
}

// 169.254.0.0/16 and fe80::/10: the same address exists on every link.
bool touches_link_local(const config::Cidr& c) {
    static const config::Cidr kV4 = config::parse_cidr("169.254.0.0/16").value;
    static const config::Cidr kV6 = config::parse_cidr("fe80::/10").value;
    return c.overlaps(c.family == config::Cidr::Family::ipv4 ? kV4 : kV6);
}

using wire::ErrorCode;

std::string port_name(std::uint16_t port, config::Protocol p) {
    return std::to_string(port) + "/" + config::to_string(p);
}

// Empty when `source` is allowed by `rule` under `limits`.
std::string source_refusal(const config::PortRule& rule, const config::Limits& limits,
                           const config::Cidr& source) {
    // The width limit holds for every grant: an allowed_sources entry such as 0.0.0.0/0 must not
    // make a wider grant possible than `any` does.
    unsigned widest =
        source.family == config::Cidr::Family::ipv4 ? limits.widest_ipv4 : limits.widest_ipv6;
    if (source.prefix_len < widest)
        return source.str_with_len() + " is wider than the widest grant allowed (/" +
               std::to_string(widest) + ")";
    if (rule.any_source) return {};
    for (const auto& allowed : rule.allowed_sources)
        if (allowed.contains(source)) return {};
    return source.str_with_len() + " is not inside the allowed sources of port " +
           port_name(rule.port, rule.protocol);
}

}  // namespace

std::variant<Refusal, OpenPlan> check_open(const config::Policy& policy, const GrantBook& book,
                                           const Actor& actor, const OpenRequest& req,
                                           wire::SysSeconds now, OpenFacts* facts) {
    OpenFacts local;
    OpenFacts& f = facts != nullptr ? *facts : local;

    // 1. port protected, 2. protocol allowed
    const config::PortRule* rule = policy.find_port(req.port);
    if (rule == nullptr)
        return Refusal{ErrorCode::port_not_protected,
                       "port " + std::to_string(req.port) + " is not protected by the policy"};
    config::Protocol protocol = rule->protocol;
    if (req.protocol) {
        protocol = *req.protocol;
        rule = policy.find(req.port, protocol);
        f.protocol = protocol;
        if (rule == nullptr)
            return Refusal{ErrorCode::port_not_protected, "port " + port_name(req.port, protocol) +
                                                              " is not protected by the policy"};
    }
    f.protocol = protocol;

    // 3. source valid, 4. source allowed
    auto parsed = config::parse_cidr(req.source);
    if (!parsed) return Refusal{ErrorCode::invalid_source, "source: " + parsed.error};
    const config::Cidr& source = parsed.value;
    f.source = source.str_with_len();
    // IPv4 traffic never carries an IPv4-mapped IPv6 source (::ffff:a.b.c.d): such a grant
    // could never match, so say what to ask for instead.
    if (is_v4_mapped(source))
        return Refusal{ErrorCode::invalid_source,
                       "source: " + req.source +
                           " is an IPv4-mapped IPv6 address; ask for the IPv4 address instead"};
    if (auto why = source_refusal(*rule, policy.limits, source); !why.empty())
        return Refusal{ErrorCode::source_not_allowed, why};
    if (touches_link_local(source) && !policy.limits.allow_link_local)
        return Refusal{ErrorCode::invalid_source,
                       "source: " + source.str_with_len() +
                           " is link-local (169.254.0.0/16 or fe80::/10); a grant cannot name "
                           "the interface, so it would match that address on every link "
                           "(the policy's limits.allow_link_local allows it)"};

    // 5. duration, 6. reason
    if (req.duration > rule->max_duration)
        return Refusal{ErrorCode::duration_exceeds_max,
                       config::format_duration(req.duration) + " exceeds the maximum of " +
                           config::format_duration(rule->max_duration) + " for port " +
                           port_name(rule->port, rule->protocol)};
    if (policy.require_reason && req.reason.empty())
        return Refusal{ErrorCode::reason_required, "the policy requires a reason"};

    // A request equal to a live grant (source, port, protocol) supersedes it.
    OpenPlan plan;
    plan.rule = rule;
    plan.grant.source = source;
    plan.grant.keys = keys_of(source, protocol, req.port);
    const LiveGrant* same = nullptr;
    for (const auto& key : plan.grant.keys) {
        const LiveGrant* holder = book.find_by_key(key);
        if (holder == nullptr) continue;
        bool equal = holder->grant.protocol == protocol && holder->grant.port == req.port &&
                     holder->source == source;
        bool may_replace = holder->grant.uid == actor.uid || actor.admin;
        if (!equal || !may_replace)
            return Refusal{ErrorCode::overlaps_grant,
                           source.str_with_len() + " overlaps live grant " + holder->grant.id +
                               " of " + holder->grant.user};
        same = holder;
    }

    // A supersede continues the chain of the grant it replaces.
    if (same != nullptr) {
        plan.grant.chain_start = same->chain_began();
        if (auto r = check_total(policy, plan.grant, same->chain_began(), now + req.duration))
            return *r;
    }

    // 7. per-user limit (a supersede of one's own grant does not add one)
    unsigned held = book.count_for(actor.uid);
    if (same != nullptr && same->grant.uid == actor.uid && held > 0) --held;
    if (held >= policy.limits.max_grants_per_user)
        return Refusal{ErrorCode::limit_reached,
                       actor.user + " already holds " + std::to_string(held) +
                           " grants (the limit is " +
                           std::to_string(policy.limits.max_grants_per_user) + ")"};

    // 8. overlap of prefixes (hosts live in their own sets and may sit inside a prefix)
    if (!source.is_host()) {
        const std::string except = same != nullptr ? same->grant.id : std::string();
        for (const auto& key : plan.grant.keys)
            if (const LiveGrant* other =
                    book.overlapping_prefix(source, key.proto, key.port, except))
                return Refusal{ErrorCode::overlaps_grant,
                               source.str_with_len() + " overlaps live grant " + other->grant.id +
                                   " (" + other->grant.source + ")"};
    }

    wire::Grant& g = plan.grant.grant;
    g.user = actor.user;
    g.uid = actor.uid;
    g.port = req.port;
    g.protocol = protocol;
    g.source = source.str_with_len();
    g.start = now;
    g.end = now + req.duration;
    g.reason = req.reason;
    if (same != nullptr) plan.supersedes = same->grant.id;
    return plan;
}

std::optional<Refusal> check_total(const config::Policy& policy, const LiveGrant& chain,
                                   wire::SysSeconds chain_began, wire::SysSeconds end) {
    for (const auto& key : chain.keys) {
        const config::PortRule* rule = policy.find(key.port, protocol_of(key.proto));
        if (rule == nullptr || !rule->max_total_duration) continue;
        const auto bound = *rule->max_total_duration;
        if (end - chain_began <= bound) continue;
        return Refusal{ErrorCode::duration_exceeds_max,
                       "that would keep port " + port_name(rule->port, rule->protocol) +
                           " open for " + config::format_duration(end - chain_began) + " since " +
                           wire::format_iso8601(chain_began) +
                           ", more than its max_total_duration of " +
                           config::format_duration(bound)};
    }
    return std::nullopt;
}

std::optional<Refusal> check_revoke(const LiveGrant* grant, const std::string& id,
                                    const Actor& actor) {
    if (grant == nullptr) return Refusal{ErrorCode::not_found, "no live grant " + id};
    if (!actor.admin && grant->grant.uid != actor.uid)
        return Refusal{ErrorCode::not_authorized,
                       "grant " + id + " belongs to " + grant->grant.user};
    return std::nullopt;
}

std::optional<Refusal> check_extend(const config::Policy& policy, const LiveGrant* grant,
                                    const std::string& id, const Actor& actor,
                                    std::chrono::seconds duration) {
    if (auto r = check_revoke(grant, id, actor)) return r;
    const wire::Grant& g = grant->grant;
    std::chrono::seconds max{0};
    for (const auto& key : grant->keys) {
        const config::PortRule* rule = policy.find(key.port, protocol_of(key.proto));
        if (rule == nullptr)
            return Refusal{ErrorCode::port_not_protected,
                           "port " + port_name(g.port, g.protocol) + " is no longer protected"};
        max = max.count() == 0 ? rule->max_duration : std::min(max, rule->max_duration);
    }
    if (duration > max)
        return Refusal{ErrorCode::duration_exceeds_max,
                       config::format_duration(duration) + " exceeds the maximum of " +
                           config::format_duration(max) + " for port " +
                           port_name(g.port, g.protocol)};
    return std::nullopt;
}

std::string disallowed_by(const config::Policy& policy, const LiveGrant& grant) {
    for (const auto& key : grant.keys) {
        config::Protocol p = protocol_of(key.proto);
        const config::PortRule* rule = policy.find(key.port, p);
        if (rule == nullptr) return "port " + port_name(key.port, p) + " is no longer protected";
        if (auto why = source_refusal(*rule, policy.limits, grant.source); !why.empty()) return why;
        if (touches_link_local(grant.source) && !policy.limits.allow_link_local)
            return grant.source.str_with_len() +
                   " is link-local and limits.allow_link_local is off";
    }
    return {};
}

}  // namespace jitd::agent
