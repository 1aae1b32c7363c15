// The two-person rule (docs/DESIGN.md "Approvals"): an open of a port with `approval:` is
// checked like any open and kept pending; approvers approve or reject it, its requester may
// cancel it, and an undecided one lapses. The last approval makes the grant through the same
// decision as any open, made again at that moment.
#include <spdlog/spdlog.h>

#include "agent/audit_fields.hpp"
#include "agent/daemon/approval_hook_payload.hpp"
#include "agent/daemon/approval_rules.hpp"
#include "agent/daemon/engine.hpp"
#include "agent/daemon/owner_role.hpp"
#include "agent/daemon/request_audit.hpp"
#include "agent/wire/response.hpp"
#include "config/duration.hpp"

namespace jitd::agent {
namespace {

using nlohmann::json;
using wire::ErrorCode;
namespace field = audit_fields;

// However many users may ask, the book stays small (each request is a few kernel elements).
constexpr std::size_t kMaxPending = 4096;

// The request's own fields on every entry about it; JITD_USER/UID are its requester.
void note_pending(AuditEvent& ev, const PendingRequest& p) {
    ev.user(p.user, p.uid)
        .set(field::kRequestId, p.id)
        .set(field::kPort, std::to_string(p.port))
        .set(field::kProtocol, config::to_string(p.protocol))
        .set(field::kSource, p.source);
    if (!p.reason.empty()) ev.set(field::kReason, p.reason);
    if (!p.approvals.empty()) ev.set(field::kApprovers, p.approver_list());
}

std::string what(const PendingRequest& p) {
    return p.source + " " + config::port_text(p.port, p.protocol) + " for " +
           config::format_duration(p.duration);
}

// A requester as the rules see them at decision time: their role now, judged like a grant
// owner's on reload (open connections, else NSS).
Origin requester_origin(const PendingRequest& p) {
    return Origin{Peer{p.uid, 0, 0, p.user, {}}, p.channel, "approval", {}};
}

}  // namespace

json Engine::op_request(const OpCall& call) {
    const Peer& peer = call.origin.peer;
    const Request& r = call.request;
    AuditEvent ev(AuditKind::request);
    note_request(ev, call.origin, true, r);
    const auto now = wall_now();
    OpenRequest req{*r.port, r.protocol, *r.source, r.duration, r.reason};
    OpenFacts facts;
    auto verdict = check_open(policy_, book_, {peer.user, peer.uid, call.role == Role::admin}, req,
                              now, &facts);
    if (facts.protocol) ev.set(field::kProtocol, config::to_string(*facts.protocol));
    if (facts.source) ev.set(field::kSource, *facts.source);
    if (const auto* refusal = std::get_if<Refusal>(&verdict)) return refuse(ev, *refusal);
    const OpenPlan& plan = std::get<OpenPlan>(verdict);
    // The rule check_open resolved is the one op_open found the approval in (both look up
    // the port the same way); the fallback only keeps a changed lookup from slipping through.
    const config::Approval* approval = plan.rule != nullptr && plan.rule->approval
                                           ? &*plan.rule->approval
                                           : approval_for(policy_, *r.port, r.protocol);
    if (approval == nullptr) return refuse(ev, {ErrorCode::internal, "no approval rule found"});
    if (pending_.count_of(peer.uid) >= policy_.limits.max_grants_per_user ||
        pending_.size() >= kMaxPending) {
        return refuse(ev, {ErrorCode::limit_reached,
                           peer.user + " already has the most pending requests allowed (" +
                               std::to_string(pending_.count_of(peer.uid)) + ")"});
    }
    PendingRequest p;
    // A remote client printed the id it derived; a taken one (a collision or a forgery of
    // someone else's) gets a random id instead.
    if (r.pending_id && is_request_id(*r.pending_id) && pending_.find(*r.pending_id) == nullptr)
        p.id = *r.pending_id;
    while (p.id.empty() || pending_.find(p.id) != nullptr) p.id = new_request_id();
    const wire::Grant& g = plan.grant.grant;
    p.user = peer.user;
    p.uid = peer.uid;
    p.channel = call.origin.channel;
    p.port = g.port;
    p.protocol = g.protocol;
    p.source = g.source;
    p.duration = std::chrono::duration_cast<std::chrono::seconds>(g.end - g.start);
    p.reason = r.reason;
    p.requested = now;
    p.lapses = now + approval->wait;
    p.required = approval->required;
    if (auto refusal = store_pending(p)) return refuse(ev, *refusal);
    note_pending(ev, p);
    ev.message(p.user + " asks for " + what(p) + " (" + p.id + "): " + std::to_string(p.required) +
               " approval(s) needed by " + wire::format_iso8601(p.lapses));
    if (!ev.commit()) {  // nobody could ever see why it was granted: it is not kept
        drop_pending(p);
        AuditEvent deny(AuditKind::deny);
        note_request(deny, call.origin, true, r);
        return refuse(deny, {ErrorCode::audit_unavailable,
                             "the journal cannot record this request now; try again later"});
    }
    json response = wire::ok_response();
    response["pending"] = to_json(p);
    if (r.wait) waiting_ = p.id;
    tell_hook(p, "request", json::object(), approval);
    pending_.add(std::move(p));
    return response;
}

json Engine::op_pending(const OpCall& call) {
    json response = wire::ok_response();
    response["pending"] = visible_pending(call);
    return response;
}

json Engine::visible_pending(const OpCall& call) const {
    json out = json::array();
    pending_.for_each([&](const PendingRequest& p) {
        if (!may_see(policy_, p, call.origin.peer, call.role)) return;
        json j = to_json(p);
        j["may_decide"] =
            !check_decide(policy_, &p, p.id, call.origin.peer, call.role, true).has_value();
        out.push_back(std::move(j));
    });
    return out;
}

json Engine::op_approve(const OpCall& call) {
    const Peer& peer = call.origin.peer;
    const std::string& id = *call.request.id;
    AuditEvent ev(AuditKind::approve);
    note_request(ev, call.origin, true, call.request);
    PendingRequest* found = pending_.find(id);
    if (auto refusal = check_decide(policy_, found, id, peer, call.role, true))
        return refuse(ev, *refusal);
    PendingRequest p = *found;
    p.approvals.push_back({peer.user, peer.uid});
    const bool last = p.approvals.size() >= p.required;
    if (!last)
        if (auto refusal = store_approval(p, p.approvals.back())) return refuse(ev, *refusal);
    note_pending(ev, p);
    ev.set(field::kActor, peer.user);
    ev.message(peer.user + " approved " + p.id + " of " + p.user + " (" + what(p) + "), " +
               std::to_string(p.approvals.size()) + " of " + std::to_string(p.required));
    if (!ev.commit()) {
        if (!last) drop_approval(p, p.approvals.back());
        AuditEvent deny(AuditKind::deny);
        note_request(deny, call.origin, true, call.request);
        return refuse(deny, {ErrorCode::audit_unavailable,
                             "the journal cannot record this approval now; try again later"});
    }
    if (!last) {
        *found = p;
        tell_hook(p, "approve", {{"actor", peer.user}, {"decided", false}});
        json response = wire::ok_response();
        response["pending"] = to_json(p);
        return response;
    }
    pending_.take(id);
    return grant_approved(std::move(p));
}

json Engine::grant_approved(PendingRequest p) {
    // Out of the kernel first: a crash before the grant ends the request (fail closed) rather
    // than leaving one that could be approved into a second grant.
    drop_pending(p);
    const Origin origin = requester_origin(p);
    Request r;
    r.op = Op::open;
    r.port = p.port;
    if (p.protocol != config::Protocol::any) r.protocol = p.protocol;
    r.source = p.source;
    r.duration = p.duration;
    r.reason = p.reason;
    AuditEvent ev(AuditKind::grant);
    note_request(ev, origin, true, r);
    ev.set(field::kRequestId, p.id).set(field::kApprovers, p.approver_list());
    const Role role = owner_role(policy_.access, p.uid, p.user,
                                 live_peers_ ? live_peers_() : std::vector<Peer>{});
    json answer;
    if (!may_run(role, Op::open)) {
        answer = refuse(ev, {ErrorCode::not_authorized,
                             p.user + " may no longer open ports (role " +
                                 std::string(to_string(role)) + "); request " + p.id + " ended"});
    } else {
        const auto now = wall_now();
        OpenRequest req{p.port, r.protocol, p.source, p.duration, p.reason};
        auto verdict = check_open(policy_, book_, {p.user, p.uid, role == Role::admin}, req, now);
        if (auto* refusal = std::get_if<Refusal>(&verdict)) {
            refusal->message = "request " + p.id + " ended: " + refusal->message;
            answer = refuse(ev, *refusal);
        } else {
            answer = make_grant(OpCall{origin, role, r}, ev, std::get<OpenPlan>(verdict), now);
        }
    }
    answer["request"] = p.id;
    json told{{"actor", p.approvals.back().user}, {"decided", true}};
    told["granted"] = answer.contains("grant");
    if (answer.contains("error")) told["error"] = answer["error"].value("code", "");
    tell_hook(p, "approve", told);
    if (on_decided_) on_decided_(p.id, answer);
    return answer;
}

json Engine::op_reject(const OpCall& call) {
    const Peer& peer = call.origin.peer;
    const std::string& id = *call.request.id;
    AuditEvent ev(AuditKind::reject);
    note_request(ev, call.origin, true, call.request);
    if (auto refusal = check_decide(policy_, pending_.find(id), id, peer, call.role, false))
        return refuse(ev, *refusal);
    PendingRequest p = *pending_.take(id);
    note_pending(ev, p);
    ev.set(field::kActor, peer.user);
    ev.message(peer.user + " rejected " + p.id + " of " + p.user + " (" + what(p) + ")");
    ev.commit();
    tell_hook(p, "reject", {{"actor", peer.user}, {"decision_reason", call.request.reason}});
    end_pending(
        p, wire::error_response(
               ErrorCode::request_rejected,
               "request " + p.id + " was rejected by " + peer.user +
                   (call.request.reason.empty() ? std::string() : ": " + call.request.reason)));
    json response = wire::ok_response();
    response["rejected"] = to_json(p);
    return response;
}

json Engine::op_cancel(const OpCall& call) {
    const Peer& peer = call.origin.peer;
    const std::string& id = *call.request.id;
    AuditEvent ev(AuditKind::cancel);
    note_request(ev, call.origin, true, call.request);
    if (auto refusal = check_cancel(pending_.find(id), id, peer, call.role))
        return refuse(ev, *refusal);
    PendingRequest p = *pending_.take(id);
    note_pending(ev, p);
    ev.set(field::kActor, peer.user).set(field::kCause, audit_causes::kRequested);
    ev.message(peer.user + " cancelled " + p.id + " of " + p.user + " (" + what(p) + ")");
    ev.commit();
    tell_hook(p, "cancel", {{"actor", peer.user}});
    end_pending(p, wire::error_response(ErrorCode::request_cancelled,
                                        "request " + p.id + " was cancelled by " + peer.user));
    json response = wire::ok_response();
    response["cancelled"] = to_json(p);
    return response;
}

std::size_t Engine::lapse_due() {
    const auto now = wall_now();
    const auto ids = pending_.due(now);
    for (const auto& id : ids) {
        PendingRequest p = *pending_.take(id);
        AuditEvent ev(AuditKind::lapse);
        note_pending(ev, p);
        ev.set(field::kCause, audit_causes::kLapsed);
        ev.message("request " + p.id + " of " + p.user + " (" + what(p) + ") lapsed with " +
                   std::to_string(p.approvals.size()) + " of " + std::to_string(p.required) +
                   " approvals");
        ev.commit();
        tell_hook(p, "lapse", json::object());
        end_pending(p, wire::error_response(ErrorCode::request_lapsed,
                                            "request " + p.id + " lapsed undecided at " +
                                                wire::format_iso8601(p.lapses)));
    }
    return ids.size();
}

void Engine::tell_hook(const PendingRequest& p, const char* event, const json& extra,
                       const config::Approval* approval) const {
    if (!hook_runner_) return;
    if (approval == nullptr) approval = approval_of(policy_, p);
    if (approval == nullptr || approval->notify.empty()) return;
    hook_runner_(approval->notify, p.id, event, hook_payload(p, event, extra, this_host_name()));
}

void Engine::end_pending(const PendingRequest& p, const json& answer) {
    drop_pending(p);
    if (on_decided_) on_decided_(p.id, answer);
}

}  // namespace jitd::agent
