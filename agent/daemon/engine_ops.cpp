// The ops of the socket protocol (agent/PROTOCOL.md): parse, authorize, decide, apply, answer,
// journal.
#include <spdlog/spdlog.h>

#include "agent/daemon/engine.hpp"
#include "agent/daemon/grant_id.hpp"
#include "agent/wire/response.hpp"
#include "config/duration.hpp"

namespace jitd::agent {
namespace {

using nlohmann::json;
using wire::ErrorCode;

Actor actor_of(const Peer& peer, Role role) {
    return {peer.user, peer.uid, role == Role::admin};
}

// What a refusal's journal entry should know of the request.
void note_request(AuditEvent& ev, const Peer& peer, bool op_known, const Request& r) {
    ev.user(peer.user, peer.uid);
    if (op_known) ev.set("JITD_OP", std::string(to_string(r.op)));
    if (r.port) ev.set("JITD_PORT", std::to_string(*r.port));
    if (r.protocol) ev.set("JITD_PROTOCOL", config::to_string(*r.protocol));
    if (r.source) ev.set("JITD_SOURCE", *r.source);
    if (r.id) ev.set("JITD_GRANT_ID", *r.id);
    if (!r.reason.empty()) ev.set("JITD_REASON", r.reason);
}

std::string describe(const wire::Grant& g) {
    return g.source + " " + config::to_string(g.protocol) + "/" + std::to_string(g.port);
}

}  // namespace

json Engine::refuse(AuditEvent& ev, const Refusal& refusal) {
    ev.deny(refusal.code, refusal.message);
    return wire::error_response(refusal.code, refusal.message);
}

json Engine::dispatch(const Peer& peer, Role role, const Request& r) {
    switch (r.op) {
        case Op::open:
            return op_open(peer, role, r);
        case Op::revoke:
            return op_revoke(peer, role, r);
        case Op::extend:
            return op_extend(peer, role, r);
        case Op::list:
            return op_list();
        case Op::status:
            return op_status(peer, role);
        case Op::reload:
            return op_reload(peer);
    }
    return wire::error_response(ErrorCode::bad_request, "unknown op");
}

std::string Engine::handle(const Peer& peer, std::string_view line) {
    expire_due(wire::now_seconds());  // an ended grant is never shown nor in the way
    RequestParse parsed = parse_request(line);
    const Request& r = parsed.request;
    Role role = role_of(policy_.access, peer);
    json response;
    if (!parsed) {
        AuditEvent ev(AuditKind::deny);
        note_request(ev, peer, parsed.op_known, r);
        response = refuse(ev, {ErrorCode::bad_request, parsed.error});
    } else if (!may_run(role, r.op)) {
        AuditEvent ev(AuditKind::deny);
        note_request(ev, peer, true, r);
        response = refuse(
            ev, {ErrorCode::not_authorized, peer.user + " (role " + std::string(to_string(role)) +
                                                ") may not " + std::string(to_string(r.op))});
    } else {
        try {
            response = dispatch(peer, role, r);
        } catch (const std::exception& e) {
            // The op's AuditEvent, unwound uncommitted, has journaled a deny/internal.
            spdlog::error("{} {} failed: {}", peer.user, to_string(r.op), e.what());
            response = wire::error_response(ErrorCode::internal,
                                            std::string("internal error: ") + e.what());
        }
    }
    if (spdlog::should_log(spdlog::level::debug)) {
        const json* err = response.contains("error") ? &response["error"] : nullptr;
        spdlog::debug("{} (uid {}) {}: {}", peer.user, peer.uid,
                      parsed.op_known ? std::string(to_string(r.op)) : std::string("?"),
                      err != nullptr ? err->value("code", "") : std::string("ok"));
    }
    return wire::to_line(response);
}

json Engine::op_open(const Peer& peer, Role role, const Request& r) {
    AuditEvent ev(AuditKind::grant);
    note_request(ev, peer, true, r);
    const auto now = wire::now_seconds();
    OpenRequest req{*r.port, r.protocol, *r.source, *r.duration, r.reason};
    OpenFacts facts;
    auto verdict = check_open(policy_, book_, actor_of(peer, role), req, now, &facts);
    if (facts.protocol) ev.set("JITD_PROTOCOL", config::to_string(*facts.protocol));
    if (facts.source) ev.set("JITD_SOURCE", *facts.source);
    if (const auto* refusal = std::get_if<Refusal>(&verdict)) return refuse(ev, *refusal);

    OpenPlan& plan = std::get<OpenPlan>(verdict);
    LiveGrant& grant = plan.grant;
    do grant.grant.id = new_grant_id();
    while (book_.find(grant.grant.id) != nullptr);

    nft::Change change;
    std::optional<wire::Grant> old;
    if (plan.supersedes) {
        const LiveGrant* o = book_.find(*plan.supersedes);
        old = o->grant;
        change.remove = o->keys;
    }
    for (const auto& key : grant.keys) change.add.push_back(element_of(grant, key, now));
    if (auto refusal =
            apply(change, "grant " + grant.grant.id + " (" + describe(grant.grant) + ")"))
        return refuse(ev, *refusal);

    json response = wire::ok_response();
    if (old) {
        book_.remove(old->id);
        AuditEvent sup(AuditKind::supersede);
        sup.grant(*old).set("JITD_REASON", "superseded").set("JITD_ACTOR", peer.user);
        sup.set("JITD_SUPERSEDED_BY", grant.grant.id);
        sup.message("grant " + old->id + " of " + old->user + " superseded by " + grant.grant.id);
        sup.commit();
        response["superseded"] = old->id;
    }
    const wire::Grant g = grant.grant;
    book_.add(std::move(grant));
    ev.grant(g);
    ev.message(g.user + " granted " + describe(g) + " until " + wire::format_iso8601(g.end) + " (" +
               g.id + ")");
    ev.commit();
    response["grant"] = wire::to_json(g);
    return response;
}

json Engine::op_revoke(const Peer& peer, Role role, const Request& r) {
    AuditEvent ev(AuditKind::revoke);
    note_request(ev, peer, true, r);
    const std::string& id = *r.id;
    const LiveGrant* g = book_.find(id);
    if (auto refusal = check_revoke(g, id, actor_of(peer, role))) return refuse(ev, *refusal);
    nft::Change change;
    change.remove = g->keys;
    if (auto refusal = apply(change, "revoking " + id)) return refuse(ev, *refusal);
    auto removed = book_.remove(id);
    ev.grant(removed->grant).set("JITD_REASON", "requested").set("JITD_ACTOR", peer.user);
    ev.message("grant " + id + " of " + removed->grant.user + " (" + describe(removed->grant) +
               ") revoked by " + peer.user);
    ev.commit();
    json response = wire::ok_response();
    response["grant"] = wire::to_json(removed->grant);
    return response;
}

json Engine::op_extend(const Peer& peer, Role role, const Request& r) {
    AuditEvent ev(AuditKind::extend);
    note_request(ev, peer, true, r);
    const std::string& id = *r.id;
    const LiveGrant* g = book_.find(id);
    if (auto refusal = check_extend(policy_, g, id, actor_of(peer, role), *r.duration))
        return refuse(ev, *refusal);
    const auto now = wire::now_seconds();
    LiveGrant next = *g;
    next.grant.end = now + *r.duration;
    nft::Change change;
    change.remove = g->keys;
    for (const auto& key : next.keys) change.add.push_back(element_of(next, key, now));
    if (auto refusal = apply(change, "extending " + id)) return refuse(ev, *refusal);
    book_.set_end(id, next.grant.end);
    ev.grant(next.grant).set("JITD_ACTOR", peer.user);
    ev.message("grant " + id + " of " + next.grant.user + " (" + describe(next.grant) +
               ") extended until " + wire::format_iso8601(next.grant.end) + " by " + peer.user);
    ev.commit();
    json response = wire::ok_response();
    response["grant"] = wire::to_json(next.grant);
    return response;
}

json Engine::op_list() const {
    json grants = json::array();
    book_.for_each_by_end(
        [&grants](const LiveGrant& g) { grants.push_back(wire::to_json(g.grant)); });
    json response = wire::ok_response();
    response["grants"] = std::move(grants);
    return response;
}

json Engine::op_status(const Peer& peer, Role role) {
    json ports = json::array();
    for (const auto& rule : policy_.ports) {
        json sources;
        if (rule.any_source) {
            sources = "any";
        } else {
            sources = json::array();
            for (const auto& c : rule.allowed_sources) sources.push_back(c.str_with_len());
        }
        ports.push_back({{"port", rule.port},
                         {"protocol", config::to_string(rule.protocol)},
                         {"max_duration", config::format_duration(rule.max_duration)},
                         {"allowed_sources", std::move(sources)},
                         {"active_grants", book_.active_on(rule.port, rule.protocol)}});
    }
    json always = json::array();
    for (const auto& c : policy_.always_allow) always.push_back(c.str_with_len());
    json response = wire::ok_response();
    response["version"] = JITD_VERSION;
    response["policy"] = policy_path_;
    response["since"] = wire::format_iso8601(since_);
    response["grants"] = book_.size();
    response["user"] = peer.user;
    response["role"] = std::string(to_string(role));
    response["require_reason"] = policy_.require_reason;
    response["ports"] = std::move(ports);
    response["always_allow"] = std::move(always);
    response["other_input_drop_chains"] = foreign_drop_chains();
    return response;
}

json Engine::op_reload(const Peer& peer) {
    ReloadOutcome out = reload(peer.user, peer.uid);
    if (out.refusal) return wire::error_response(out.refusal->code, out.refusal->message);
    json response = wire::ok_response();
    response["revoked"] = out.revoked;
    return response;
}

}  // namespace jitd::agent
