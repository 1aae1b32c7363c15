// The ops on a live grant: revoke and extend. submit has applied the op table's own-grants
// rule before these run; what is left to decide is the grant's existence and the policy.
#include "agent/audit_fields.hpp"
#include "agent/daemon/engine.hpp"
#include "agent/daemon/request_audit.hpp"
#include "agent/wire/response.hpp"

namespace jitd::agent {

using nlohmann::json;

json Engine::op_revoke(const OpCall& call) {
    const Peer& peer = call.origin.peer;
    const Request& r = call.request;
    AuditEvent ev(AuditKind::revoke);
    note_request(ev, call.origin, true, r);
    const std::string& id = *r.id;
    const LiveGrant* g = book_.find(id);
    if (auto refusal = check_revoke(g, id)) return refuse(ev, *refusal);
    nft::Change change;
    change.remove = g->keys();
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

json Engine::op_extend(const OpCall& call) {
    const Peer& peer = call.origin.peer;
    const Request& r = call.request;
    AuditEvent ev(AuditKind::extend);
    note_request(ev, call.origin, true, r);
    const std::string& id = *r.id;
    const LiveGrant* g = book_.find(id);
    if (auto refusal = check_extend(policy_, g, id, *r.duration)) return refuse(ev, *refusal);
    const auto now = wall_now();
    if (auto refusal = check_total(policy_, *g, g->chain_began(), now + *r.duration))
        return refuse(ev, *refusal);
    LiveGrant next = *g;
    next.grant.end = now + *r.duration;
    nft::Change change;
    change.remove = g->keys();
    for (const auto& key : next.keys()) change.add.push_back(element_of(next, key, now));
    if (auto refusal = apply(change, "extending " + id)) return refuse(ev, *refusal);
    ev.grant(next.grant).set(audit_fields::kActor, peer.user);
    ev.message("grant " + id + " of " + next.grant.user + " (" + describe(next.grant) +
               ") extended until " + wire::format_iso8601(next.grant.end) + " by " + peer.user);
    if (!ev.commit()) {  // the record comes first: put the old end back and refuse
        nft::Change undo;
        undo.remove = next.keys();
        for (const auto& key : g->keys()) undo.add.push_back(element_of(*g, key, now));
        return refuse_unaudited(call, undo, "extending " + id);
    }
    book_.set_end(id, next.grant.end);
    json response = wire::ok_response();
    response["grant"] = wire::to_json(next.grant);
    return response;
}

}  // namespace jitd::agent
