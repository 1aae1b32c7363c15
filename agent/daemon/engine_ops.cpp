// The ops of the socket protocol (agent/PROTOCOL.md): parse, authorize, decide, apply, answer,
// journal.
#include <spdlog/spdlog.h>

#include "agent/daemon/engine.hpp"
#include "agent/daemon/grant_id.hpp"
#include "agent/daemon/journal_socket.hpp"
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
void note_request(AuditEvent& ev, const Origin& origin, bool op_known, const Request& r) {
    const Peer& peer = origin.peer;
    ev.user(peer.user, peer.uid);
    ev.set("JITD_CHANNEL", origin.channel);
    for (const auto& [name, value] : origin.audit_fields) ev.set_client(name, value);
    if (op_known) ev.set("JITD_OP", std::string(to_string(r.op)));
    if (r.port) ev.set("JITD_PORT", std::to_string(*r.port));
    if (r.protocol) ev.set("JITD_PROTOCOL", config::to_string(*r.protocol));
    // What the client wrote is bounded: a refusal must not carry 64 KiB into the journal.
    if (r.source) ev.set_client("JITD_SOURCE", *r.source);
    if (r.id) {
        ev.set("JITD_GRANT_ID", is_grant_id(*r.id) ? *r.id : "invalid");
        if (!is_grant_id(*r.id)) ev.set("JITD_TRUNCATED", "1");
    }
    if (!r.reason.empty()) {
        if (check_reason(r.reason).empty())
            ev.set("JITD_REASON", r.reason);
        else
            ev.set_client("JITD_REASON", r.reason);
    }
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
    RequestParse parsed = parse_request(line);
    if (parsed) return wire::to_line(submit(socket_origin(peer), parsed.request));
    check_clocks();
    expire_due();
    const Origin origin = socket_origin(peer);
    origin_ = &origin;
    AuditEvent ev(AuditKind::deny);
    note_request(ev, origin, parsed.op_known, parsed.request);
    json response = refuse(ev, {ErrorCode::bad_request, parsed.error});
    origin_ = nullptr;
    spdlog::debug("{} (uid {}) {}: bad_request", peer.user, peer.uid,
                  parsed.op_known ? std::string(to_string(parsed.request.op)) : std::string("?"));
    return wire::to_line(response);
}

json Engine::submit(const Origin& origin, const Request& r) {
    check_clocks();  // a wall-clock step is seen before anything is shown or decided
    expire_due();    // an ended grant is never shown nor in the way
    const Peer& peer = origin.peer;
    origin_ = &origin;
    Role role = role_of(policy_.access, peer);
    json response;
    if (!may_run(role, r.op)) {
        AuditEvent ev(AuditKind::deny);
        note_request(ev, origin, true, r);
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
    origin_ = nullptr;
    if (spdlog::should_log(spdlog::level::debug)) {
        const json* err = response.contains("error") ? &response["error"] : nullptr;
        spdlog::debug("{} (uid {}) via {} {}: {}", peer.user, peer.uid, origin.channel,
                      to_string(r.op), err != nullptr ? err->value("code", "") : std::string("ok"));
    }
    return response;
}

json Engine::op_open(const Peer& peer, Role role, const Request& r) {
    AuditEvent ev(AuditKind::grant);
    note_request(ev, origin_ != nullptr ? *origin_ : socket_origin(peer), true, r);
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
    std::optional<LiveGrant> old;
    if (plan.supersedes) {
        old = *book_.find(*plan.supersedes);
        change.remove = old->keys;
    }
    for (const auto& key : grant.keys) change.add.push_back(element_of(grant, key, now));
    if (auto refusal =
            apply(change, "grant " + grant.grant.id + " (" + describe(grant.grant) + ")"))
        return refuse(ev, *refusal);

    // The grant's record is written before the answer, or the door is closed again and the
    // open refused; the supersede record (a door closing) comes after it, best effort.
    const wire::Grant g = grant.grant;
    ev.grant(g);
    ev.message(g.user + " granted " + describe(g) + " until " + wire::format_iso8601(g.end) + " (" +
               g.id + ")");
    if (!ev.commit()) {
        nft::Change undo;
        undo.remove = grant.keys;
        if (old)
            for (const auto& key : old->keys) undo.add.push_back(element_of(*old, key, now));
        return refuse_unaudited(peer, r, undo, "grant " + g.id);
    }
    json response = wire::ok_response();
    if (old) {
        book_.remove(old->grant.id);
        AuditEvent sup(AuditKind::supersede);
        sup.grant(old->grant)
            .set(audit_fields::kCause, audit_causes::kSuperseded)
            .set(audit_fields::kActor, peer.user);
        sup.set("JITD_SUPERSEDED_BY", g.id);
        sup.message("grant " + old->grant.id + " of " + old->grant.user + " superseded by " + g.id);
        sup.commit();
        response["superseded"] = old->grant.id;
    }
    book_.add(std::move(grant));
    response["grant"] = wire::to_json(g);
    return response;
}

json Engine::refuse_unaudited(const Peer& peer, const Request& r, nft::Change& undo,
                              const std::string& what) {
    std::string message =
        "the journal cannot record this change now (journald stopped or not keeping up), so "
        "jitd does not make it; try again later";
    if (auto failed = apply(undo, "rolling back " + what + " (not journaled)")) {
        // The kernel keeps the change: the book follows the kernel, so the grant stays visible
        // (list) and revocable, and the kernel still ends it on time.
        spdlog::error("{} is in force without an audit record: {}", what, failed->message);
        message += " (rolling back failed: " + failed->message + ")";
    }
    AuditEvent ev(AuditKind::deny);
    note_request(ev, origin_ != nullptr ? *origin_ : socket_origin(peer), true, r);
    return refuse(ev, {ErrorCode::audit_unavailable, message});
}

json Engine::op_revoke(const Peer& peer, Role role, const Request& r) {
    AuditEvent ev(AuditKind::revoke);
    note_request(ev, origin_ != nullptr ? *origin_ : socket_origin(peer), true, r);
    const std::string& id = *r.id;
    const LiveGrant* g = book_.find(id);
    if (auto refusal = check_revoke(g, id, actor_of(peer, role))) return refuse(ev, *refusal);
    nft::Change change;
    change.remove = g->keys;
    if (auto refusal = apply(change, "revoking " + id)) return refuse(ev, *refusal);
    auto removed = book_.remove(id);
    ev.grant(removed->grant)
        .set(audit_fields::kCause, audit_causes::kRequested)
        .set(audit_fields::kActor, peer.user);
    json response = wire::ok_response();
    std::string killed;
    if (r.kill.value_or(policy_.revoke_kills_sessions)) {
        response["killed"] = kill_sessions_of(*removed, ev);
        killed = "; sessions ended: " + std::to_string(response["killed"]["sockets"].get<int>()) +
                 " sockets, " + std::to_string(response["killed"]["conntrack"].get<int>()) +
                 " conntrack entries";
    }
    ev.message("grant " + id + " of " + removed->grant.user + " (" + describe(removed->grant) +
               ") revoked by " + peer.user + killed);
    ev.commit();
    response["grant"] = wire::to_json(removed->grant);
    return response;
}

json Engine::op_extend(const Peer& peer, Role role, const Request& r) {
    AuditEvent ev(AuditKind::extend);
    note_request(ev, origin_ != nullptr ? *origin_ : socket_origin(peer), true, r);
    const std::string& id = *r.id;
    const LiveGrant* g = book_.find(id);
    if (auto refusal = check_extend(policy_, g, id, actor_of(peer, role), *r.duration))
        return refuse(ev, *refusal);
    const auto now = wire::now_seconds();
    if (auto refusal = check_total(policy_, *g, g->chain_began(), now + *r.duration))
        return refuse(ev, *refusal);
    LiveGrant next = *g;
    next.grant.end = now + *r.duration;
    nft::Change change;
    change.remove = g->keys;
    for (const auto& key : next.keys) change.add.push_back(element_of(next, key, now));
    if (auto refusal = apply(change, "extending " + id)) return refuse(ev, *refusal);
    ev.grant(next.grant).set("JITD_ACTOR", peer.user);
    ev.message("grant " + id + " of " + next.grant.user + " (" + describe(next.grant) +
               ") extended until " + wire::format_iso8601(next.grant.end) + " by " + peer.user);
    if (!ev.commit()) {  // the record comes first: put the old end back and refuse
        nft::Change undo;
        undo.remove = next.keys;
        for (const auto& key : g->keys) undo.add.push_back(element_of(*g, key, now));
        return refuse_unaudited(peer, r, undo, "extending " + id);
    }
    book_.set_end(id, next.grant.end);
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
    response["audit_dropped"] = journal_drops();
    response["ports"] = std::move(ports);
    response["always_allow"] = std::move(always);
    response["other_input_drop_chains"] = foreign_drop_chains();
    response["remote"] = remote_status_ ? remote_status_() : json{{"enabled", false}};
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
