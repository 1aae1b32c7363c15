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

// 1. port protected, 2. protocol allowed: the rule the request falls under.
std::variant<Refusal, const config::PortRule*> resolve_rule(const config::Policy& policy,
                                                            const OpenRequest& req, OpenFacts& f) {
    const config::PortRule* rule = policy.find_port(req.port);
    if (rule == nullptr)
        return Refusal{ErrorCode::port_not_protected,
                       "port " + std::to_string(req.port) + " is not protected by the policy"};
    f.protocol = req.protocol.value_or(rule->protocol);
    if (!req.protocol) return rule;
    rule = policy.find(req.port, *req.protocol);
    if (rule == nullptr)
        return Refusal{ErrorCode::port_not_protected, "port " + port_name(req.port, *f.protocol) +
                                                          " is not protected by the policy"};
    return rule;
}

// 3. source valid, 4. source allowed (width, allowed_sources, link-local).
std::variant<Refusal, config::Cidr> check_source(const config::Policy& policy,
                                                 const config::PortRule& rule,
                                                 const std::string& text, OpenFacts& f) {
    auto parsed = config::parse_cidr(text);
    if (!parsed) return Refusal{ErrorCode::invalid_source, "source: " + parsed.error};
    const config::Cidr& source = parsed.value;
    f.source = source.str_with_len();
    // IPv4 traffic never carries an IPv4-mapped IPv6 source (::ffff:a.b.c.d): such a grant
    // could never match, so say what to ask for instead.
    if (is_v4_mapped(source))
        return Refusal{ErrorCode::invalid_source,
                       "source: " + text +
                           " is an IPv4-mapped IPv6 address; ask for the IPv4 address instead"};
    if (auto why = source_refusal(rule, policy.limits, source); !why.empty())
        return Refusal{ErrorCode::source_not_allowed, why};
    if (touches_link_local(source) && !policy.limits.allow_link_local)
        return Refusal{ErrorCode::invalid_source,
                       "source: " + source.str_with_len() +
                           " is link-local (169.254.0.0/16 or fe80::/10); a grant cannot name "
                           "the interface, so it would match that address on every link "
                           "(the policy's limits.allow_link_local allows it)"};
    return source;
}

// 5. duration, 6. reason.
std::optional<Refusal> check_duration_and_reason(const config::Policy& policy,
                                                 const config::PortRule& rule,
                                                 std::chrono::seconds duration,
                                                 const std::string& reason) {
    if (duration > rule.max_duration)
        return Refusal{ErrorCode::duration_exceeds_max,
                       config::format_duration(duration) + " exceeds the maximum of " +
                           config::format_duration(rule.max_duration) + " for port " +
                           port_name(rule.port, rule.protocol)};
    if (policy.require_reason && reason.empty())
        return Refusal{ErrorCode::reason_required, "the policy requires a reason"};
    return std::nullopt;
}

// A request equal to a live grant (source, port, protocol) supersedes it when it is the
// actor's own (or the actor is admin); any other holder of one of its keys is an overlap.
// Returns the grant superseded (nullptr: none).
std::variant<Refusal, const LiveGrant*> find_superseded(const GrantBook& book, const Actor& actor,
                                                        const LiveGrant& planned) {
    const LiveGrant* same = nullptr;
    for (const auto& key : planned.keys()) {
        const LiveGrant* holder = book.find_by_key(key);
        if (holder == nullptr) continue;
        bool equal = holder->grant.protocol == planned.grant.protocol &&
                     holder->grant.port == planned.grant.port && holder->source == planned.source;
        bool may_replace = holder->grant.uid == actor.uid || actor.admin;
        if (!equal || !may_replace)
            return Refusal{ErrorCode::overlaps_grant,
                           planned.source.str_with_len() + " overlaps live grant " +
                               holder->grant.id + " of " + holder->grant.user};
        same = holder;
    }
    return same;
}

// 7. per-user limit (a supersede of one's own grant does not add one).
std::optional<Refusal> check_limit(const config::Policy& policy, const GrantBook& book,
                                   const Actor& actor, const LiveGrant* same) {
    unsigned held = book.count_for(actor.uid);
    if (same != nullptr && same->grant.uid == actor.uid && held > 0) --held;
    if (held < policy.limits.max_grants_per_user) return std::nullopt;
    return Refusal{ErrorCode::limit_reached, actor.user + " already holds " + std::to_string(held) +
                                                 " grants (the limit is " +
                                                 std::to_string(policy.limits.max_grants_per_user) +
                                                 ")"};
}

// 8. overlap of prefixes (hosts live in their own sets and may sit inside a prefix).
std::optional<Refusal> check_prefix_overlap(const GrantBook& book, const LiveGrant& planned,
                                            const LiveGrant* same) {
    if (planned.source.is_host()) return std::nullopt;
    const std::string except = same != nullptr ? same->grant.id : std::string();
    for (const auto& key : planned.keys())
        if (const LiveGrant* other =
                book.overlapping_prefix(planned.source, key.proto, key.port, except))
            return Refusal{ErrorCode::overlaps_grant,
                           planned.source.str_with_len() + " overlaps live grant " +
                               other->grant.id + " (" + other->grant.source + ")"};
    return std::nullopt;
}

}  // namespace

std::variant<Refusal, OpenPlan> check_open(const config::Policy& policy, const GrantBook& book,
                                           const Actor& actor, const OpenRequest& req,
                                           wire::SysSeconds now, OpenFacts* facts) {
    OpenFacts local;
    OpenFacts& f = facts != nullptr ? *facts : local;

    auto resolved = resolve_rule(policy, req, f);
    if (auto* refusal = std::get_if<Refusal>(&resolved)) return std::move(*refusal);
    const config::PortRule& rule = *std::get<const config::PortRule*>(resolved);
    auto checked = check_source(policy, rule, req.source, f);
    if (auto* refusal = std::get_if<Refusal>(&checked)) return std::move(*refusal);
    const config::Cidr& source = std::get<config::Cidr>(checked);
    // Omitted: the longest the port allows.
    const std::chrono::seconds duration = req.duration.value_or(rule.max_duration);
    if (auto r = check_duration_and_reason(policy, rule, duration, req.reason)) return *r;

    OpenPlan plan;
    plan.rule = &rule;
    wire::Grant& g = plan.grant.grant;
    g.user = actor.user;
    g.uid = actor.uid;
    g.port = req.port;
    g.protocol = *f.protocol;
    g.source = source.str_with_len();
    g.start = now;
    g.end = now + duration;
    g.reason = req.reason;
    plan.grant.source = source;

    auto superseded = find_superseded(book, actor, plan.grant);
    if (auto* refusal = std::get_if<Refusal>(&superseded)) return std::move(*refusal);
    const LiveGrant* same = std::get<const LiveGrant*>(superseded);
    // A supersede continues the chain of the grant it replaces.
    if (same != nullptr) {
        plan.grant.set_chain_start(same->chain_began());
        if (auto r = check_total(policy, plan.grant, same->chain_began(), g.end)) return *r;
        plan.supersedes = same->grant.id;
    }
    if (auto r = check_limit(policy, book, actor, same)) return *r;
    if (auto r = check_prefix_overlap(book, plan.grant, same)) return *r;
    return plan;
}

std::optional<Refusal> check_total(const config::Policy& policy, const LiveGrant& chain,
                                   wire::SysSeconds chain_began, wire::SysSeconds end) {
    for (const auto& key : chain.keys()) {
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

std::optional<Refusal> check_revoke(const LiveGrant* grant, const std::string& id) {
    if (grant == nullptr) return Refusal{ErrorCode::not_found, "no live grant " + id};
    return std::nullopt;
}

std::optional<Refusal> check_extend(const config::Policy& policy, const LiveGrant* grant,
                                    const std::string& id, std::chrono::seconds duration) {
    if (auto r = check_revoke(grant, id)) return r;
    const wire::Grant& g = grant->grant;
    std::chrono::seconds max{0};
    for (const auto& key : grant->keys()) {
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
    for (const auto& key : grant.keys()) {
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
