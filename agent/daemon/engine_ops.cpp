// The entry of every request (Engine::handle for a socket line, Engine::submit for any
// channel): parse, authorize by the op table, run the op's handler, answer. The read-only ops
// and reload are here; open in engine_ops_open.cpp, revoke and extend in engine_ops_grants.cpp.
#include <spdlog/spdlog.h>

#include "agent/daemon/engine.hpp"
#include "agent/daemon/journal_socket.hpp"
#include "agent/daemon/listening_ports.hpp"
#include "agent/daemon/request_audit.hpp"
#include "agent/wire/response.hpp"
#include "config/duration.hpp"

namespace jitd::agent {
namespace {

using nlohmann::json;
using wire::ErrorCode;

// The op table's verdict before any handler runs: the request is complete, the role may run
// the op, and an op on own grants only names a grant the peer may touch.
std::optional<Refusal> admit(const OpSpec& spec, Role role, const Peer& peer, const Request& r,
                             const GrantBook& book) {
    if (auto missing = spec.incomplete(r); !missing.empty())
        return Refusal{ErrorCode::bad_request, missing};
    if (!may_run(role, spec.op))
        return Refusal{ErrorCode::not_authorized, peer.user + " (role " +
                                                      std::string(to_string(role)) + ") may not " +
                                                      std::string(spec.name)};
    if (spec.own_grants_only) return check_owner(role, spec.op, peer, book.find(*r.id));
    return std::nullopt;
}

}  // namespace

json Engine::refuse(AuditEvent& ev, const Refusal& refusal) {
    ev.deny(refusal.code, refusal.message);
    return wire::error_response(refusal.code, refusal.message);
}

std::string Engine::handle(const Peer& peer, std::string_view line) {
    const Origin origin = socket_origin(peer);
    waiting_.reset();
    RequestParse parsed = parse_request(line);
    if (parsed) return wire::to_line(submit(origin, parsed.request));
    check_clocks();
    expire_due();
    AuditEvent ev(AuditKind::deny);
    note_request(ev, origin, parsed.op_known, parsed.request);
    json response = refuse(ev, {ErrorCode::bad_request, parsed.error});
    spdlog::debug("{} (uid {}) {}: bad_request", peer.user, peer.uid,
                  parsed.op_known ? std::string(to_string(parsed.request.op)) : std::string("?"));
    return wire::to_line(response);
}

json Engine::submit(const Origin& origin, const Request& r) {
    check_clocks();  // a wall-clock step is seen before anything is shown or decided
    expire_due();    // an ended grant is never shown nor in the way
    const Peer& peer = origin.peer;
    const OpSpec& spec = op_spec(r.op);
    const Role role = role_of(policy_.access, peer);
    json response;
    if (auto refusal = admit(spec, role, peer, r, book_)) {
        AuditEvent ev(AuditKind::deny);
        note_request(ev, origin, true, r);
        response = refuse(ev, *refusal);
    } else {
        try {
            response = (this->*spec.handle)(OpCall{origin, role, r});
        } catch (const std::exception& e) {
            // The op's AuditEvent, unwound uncommitted, has journaled a deny/internal.
            spdlog::error("{} {} failed: {}", peer.user, spec.name, e.what());
            response = wire::error_response(ErrorCode::internal,
                                            std::string("internal error: ") + e.what());
        }
    }
    if (spdlog::should_log(spdlog::level::debug)) {
        const json* err = response.contains("error") ? &response["error"] : nullptr;
        spdlog::debug("{} (uid {}) via {} {}: {}", peer.user, peer.uid, origin.channel, spec.name,
                      err != nullptr ? err->value("code", "") : std::string("ok"));
    }
    return response;
}

json Engine::op_list(const OpCall& call) {
    json grants = json::array();
    book_.for_each_by_end(
        [&grants](const LiveGrant& g) { grants.push_back(wire::to_json(g.grant)); });
    json response = wire::ok_response();
    response["grants"] = std::move(grants);
    response["pending"] = visible_pending(call);
    return response;
}

json Engine::op_status(const OpCall& call) {
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
        if (rule.approval)
            ports.back()["approval"] = {{"required", rule.approval->required},
                                        {"wait", config::format_duration(rule.approval->wait)},
                                        {"admins_bypass", rule.approval->admins_bypass}};
    }
    json always = json::array();
    for (const auto& c : policy_.always_allow) always.push_back(c.str_with_len());
    json response = wire::ok_response();
    response["version"] = JITD_VERSION;
    response["policy"] = policy_path_;
    response["since"] = wire::format_iso8601(since_);
    response["grants"] = book_.size();
    response["pending"] = pending_.size();
    response["user"] = call.origin.peer.user;
    response["role"] = std::string(to_string(call.role));
    response["require_reason"] = policy_.require_reason;
    response["audit_dropped"] = journal_drops();
    response["ports"] = std::move(ports);
    response["always_allow"] = std::move(always);
    response["other_input_drop_chains"] = foreign_drop_chains();
    response["remote"] = remote_status_ ? remote_status_() : json{{"enabled", false}};
    response["recommended"] = recommendations_json(recommended_ports(policy_));
    return response;
}

json Engine::op_reload(const OpCall& call) {
    const Peer& peer = call.origin.peer;
    ReloadOutcome out = reload(peer.user, peer.uid, &call.origin);
    if (out.refusal) return wire::error_response(out.refusal->code, out.refusal->message);
    json response = wire::ok_response();
    response["revoked"] = out.revoked;
    return response;
}

}  // namespace jitd::agent
