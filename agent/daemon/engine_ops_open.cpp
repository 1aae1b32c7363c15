// The open op: decide (check_open), apply, journal before answering (or roll back), supersede.
#include <spdlog/spdlog.h>

#include "agent/audit_fields.hpp"
#include "agent/daemon/approval_rules.hpp"
#include "agent/daemon/engine.hpp"
#include "agent/daemon/grant_id.hpp"
#include "agent/daemon/request_audit.hpp"
#include "agent/wire/response.hpp"

namespace jitd::agent {
namespace {

using nlohmann::json;
using wire::ErrorCode;

Actor actor_of(const Peer& peer, Role role) {
    return {peer.user, peer.uid, role == Role::admin};
}

}  // namespace

json Engine::op_open(const OpCall& call) {
    const Peer& peer = call.origin.peer;
    const Request& r = call.request;
    if (needs_approval(approval_for(policy_, *r.port, r.protocol), call.role))
        return op_request(call);
    AuditEvent ev(AuditKind::grant);
    note_request(ev, call.origin, true, r);
    const auto now = wall_now();
    OpenRequest req{*r.port, r.protocol, *r.source, r.duration, r.reason};
    OpenFacts facts;
    auto verdict = check_open(policy_, book_, actor_of(peer, call.role), req, now, &facts);
    if (facts.protocol) ev.set("JITD_PROTOCOL", config::to_string(*facts.protocol));
    if (facts.source) ev.set("JITD_SOURCE", *facts.source);
    if (const auto* refusal = std::get_if<Refusal>(&verdict)) return refuse(ev, *refusal);
    return make_grant(call, ev, std::get<OpenPlan>(verdict), now);
}

json Engine::make_grant(const OpCall& call, AuditEvent& ev, OpenPlan& plan, wire::SysSeconds now) {
    LiveGrant& grant = plan.grant;
    do grant.grant.id = new_grant_id();
    while (book_.find(grant.grant.id) != nullptr);

    nft::Change change;
    std::optional<LiveGrant> old;
    if (plan.supersedes) {
        old = *book_.find(*plan.supersedes);
        change.remove = old->keys();
    }
    for (const auto& key : grant.keys()) change.add.push_back(element_of(grant, key, now));
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
        undo.remove = grant.keys();
        if (old)
            for (const auto& key : old->keys()) undo.add.push_back(element_of(*old, key, now));
        return refuse_unaudited(call, undo, "grant " + g.id);
    }
    json response = wire::ok_response();
    if (old) {
        book_.remove(old->grant.id);
        note_superseded(call.origin, old->grant, g.id);
        response["superseded"] = old->grant.id;
    }
    book_.add(std::move(grant));
    response["grant"] = wire::to_json(g);
    return response;
}

void Engine::note_superseded(const Origin& origin, const wire::Grant& old, const std::string& by) {
    AuditEvent sup(AuditKind::supersede);
    sup.grant(old)
        .set(audit_fields::kCause, audit_causes::kSuperseded)
        .set(audit_fields::kActor, origin.peer.user);
    note_origin(sup, origin);
    sup.set("JITD_SUPERSEDED_BY", by);
    sup.message("grant " + old.id + " of " + old.user + " superseded by " + by);
    sup.commit();
}

json Engine::refuse_unaudited(const OpCall& call, nft::Change& undo, const std::string& what) {
    std::string message =
        "the journal cannot record this change now (journald stopped or not keeping up), so "
        "jitd does not make it; try again later";
    auto failed =
        undo.empty() ? std::nullopt : apply(undo, "rolling back " + what + " (not journaled)");
    if (failed) {
        // The kernel keeps the change: the book follows the kernel, so the grant stays visible
        // (list) and revocable, and the kernel still ends it on time.
        spdlog::error("{} is in force without an audit record: {}", what, failed->message);
        message += " (rolling back failed: " + failed->message + ")";
    }
    AuditEvent ev(AuditKind::deny);
    note_request(ev, call.origin, true, call.request);
    return refuse(ev, {ErrorCode::audit_unavailable, message});
}

}  // namespace jitd::agent
