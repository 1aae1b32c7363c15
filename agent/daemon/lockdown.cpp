#include "agent/daemon/lockdown.hpp"

#include <exception>

#include <spdlog/spdlog.h>

#include "agent/daemon/audit.hpp"
#include "agent/daemon/last_good_policy.hpp"
#include "agent/daemon/policy_bridge.hpp"
#include "nft/session.hpp"

namespace jitd::agent {
namespace {

std::string port_list(const config::Policy& p) {
    std::string out;
    for (const auto& r : p.ports) {
        if (!out.empty()) out += ", ";
        out += config::port_text(r.port, r.protocol);
    }
    return out;
}

}  // namespace

int lock_down(const std::string& policy_path, const std::string& state_dir,
              const std::string& load_error) {
    try {
        nft::Session session = nft::Session::open();
        if (session.table_exists()) {
            spdlog::error(
                "the policy {} does not load; table inet jitd is in place and stays "
                "as it is",
                policy_path);
            return 1;
        }
        std::string why;
        std::string from = last_good_policy_path(state_dir);
        std::optional<config::Policy> saved = load_last_good_policy(state_dir, why);
        config::Policy policy;
        if (saved) {
            policy = std::move(*saved);
        } else {
            spdlog::warn("no last good policy to lock down with ({}); using the default ports",
                         why);
            from = "the default ports";
            policy.ports = config::default_ports();
        }
        session.install(table_spec(policy));
        std::string text = "jitd did not start: the policy " + policy_path + " does not load (" +
                           load_error +
                           "); no table inet jitd was in place, so a lock-down table from " + from +
                           " now closes " + port_list(policy) +
                           " with no grants. Fix the policy (jitd --check) and restart jitd";
        AuditEvent ev(AuditKind::lockdown);
        ev.set("JITD_POLICY", policy_path)
            .set("JITD_ERROR", std::string(wire::to_string(wire::ErrorCode::policy_invalid)))
            .set("JITD_LOCKDOWN_FROM", saved ? from : "default")
            .message(text);
        ev.commit();
        spdlog::error("{}", text);
    } catch (const std::exception& e) {
        spdlog::error(
            "the policy {} does not load and the lock-down table could not be "
            "installed: {}",
            policy_path, e.what());
    }
    return 1;
}

}  // namespace jitd::agent
