// The engine and the host's connections: pickups for the first install, and `revoke --kill`.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/daemon/engine.hpp"
#include "agent/daemon/policy_bridge.hpp"
#include "sessions/sessions.hpp"

namespace jitd::agent {

std::vector<nft::Tuple> Engine::sessions_to_pick_up() const {
    std::vector<std::uint16_t> ports;
    for (const auto& pp : table_spec(policy_).protected_ports)
        if (pp.proto == nft::L4::tcp) ports.push_back(pp.port);
    try {
        return sessions::established_tcp(ports);
    } catch (const std::exception& e) {
        spdlog::warn(
            "cannot list open TCP sessions (sock_diag): {}; sessions conntrack has not seen "
            "will be cut by the first install",
            e.what());
        return {};
    }
}

void Engine::warn_if_sockets_unkillable() const {
    try {
        if (!sessions::can_destroy_sockets())
            spdlog::warn(
                "this kernel cannot destroy sockets (SOCK_DESTROY needs CONFIG_INET_DIAG_DESTROY): "
                "revoke --kill will only delete conntrack entries and leave sessions open");
    } catch (const std::exception& e) {
        spdlog::warn("sock_diag is not usable ({}): revoke --kill cannot end sessions", e.what());
    }
}

nlohmann::json Engine::kill_sessions_of(const LiveGrant& g, AuditEvent& ev) {
    std::string problem;
    // First the pickups, so that no segment of a session being ended can be picked up again.
    std::size_t pickups = 0;
    try {
        std::vector<nft::Tuple> doomed;
        for (const auto& t : kernel_->list_pickups())
            for (const auto& k : g.keys())
                if (k.proto == nft::L4::tcp && t.local_port == k.port &&
                    sessions::covers(k.source, t.family, t.remote)) {
                    doomed.push_back(t);
                    break;
                }
        kernel_->remove_pickups(doomed);
        pickups = doomed.size();
    } catch (const std::exception& e) {
        problem = std::string("removing pickups: ") + e.what();
    }
    const sessions::KillReport r = sessions::kill_sessions(g.keys());
    if (!r.problem.empty()) problem += (problem.empty() ? "" : "; ") + r.problem;
    ev.set("JITD_KILLED_SOCKETS", std::to_string(r.sockets));
    ev.set("JITD_KILLED_CONNTRACK", std::to_string(r.conntrack));
    if (pickups > 0) ev.set("JITD_KILLED_PICKUPS", std::to_string(pickups));
    if (!problem.empty()) {
        ev.set("JITD_KILL_ERROR", problem);
        spdlog::warn("ending the sessions of grant {}: {}", g.grant.id, problem);
    }
    nlohmann::json out{{"sockets", r.sockets}, {"conntrack", r.conntrack}};
    if (!problem.empty()) out["problem"] = problem;
    return out;
}

}  // namespace jitd::agent
