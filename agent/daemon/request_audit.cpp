#include "agent/daemon/request_audit.hpp"

#include "agent/daemon/grant_id.hpp"
#include "agent/daemon/pending_book.hpp"

namespace jitd::agent {
namespace {

bool is_approval_op(Op op) {
    return op == Op::approve || op == Op::reject || op == Op::cancel;
}

}  // namespace

void note_origin(AuditEvent& ev, const Origin& origin) {
    ev.set("JITD_CHANNEL", origin.channel);
    for (const auto& [name, value] : origin.audit_fields) ev.set_client(name, value);
}

void note_request(AuditEvent& ev, const Origin& origin, bool op_known, const Request& r) {
    ev.user(origin.peer.user, origin.peer.uid);
    note_origin(ev, origin);
    if (op_known) ev.set("JITD_OP", std::string(to_string(r.op)));
    if (r.port) ev.set("JITD_PORT", std::to_string(*r.port));
    if (r.protocol) ev.set("JITD_PROTOCOL", config::to_string(*r.protocol));
    if (r.source) ev.set_client("JITD_SOURCE", *r.source);
    if (r.id && is_approval_op(r.op)) {
        ev.set(audit_fields::kRequestId, is_request_id(*r.id) ? *r.id : "invalid");
        if (!is_request_id(*r.id)) ev.set("JITD_TRUNCATED", "1");
    } else if (r.id) {
        ev.set("JITD_GRANT_ID", is_grant_id(*r.id) ? *r.id : "invalid");
        if (!is_grant_id(*r.id)) ev.set("JITD_TRUNCATED", "1");
    }
    if (!r.reason.empty() && is_approval_op(r.op)) {
        // A decider's words are theirs: JITD_REASON is only ever the requester's.
        ev.set_client(audit_fields::kDecisionReason, r.reason);
    } else if (!r.reason.empty()) {
        if (check_reason(r.reason).empty())
            ev.set("JITD_REASON", r.reason);
        else
            ev.set_client("JITD_REASON", r.reason);
    }
}

std::string describe(const wire::Grant& g) {
    return g.source + " " + config::to_string(g.protocol) + "/" + std::to_string(g.port);
}

}  // namespace jitd::agent
