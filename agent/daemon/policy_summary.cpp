#include "agent/daemon/policy_summary.hpp"

#include <nlohmann/json.hpp>

#include "agent/audit_fields.hpp"
#include "agent/daemon/listening_ports.hpp"
#include "config/duration.hpp"

namespace jitd::agent {

std::string protected_ports_text(const config::Policy& policy) {
    std::string out;
    for (const auto& rule : policy.ports)
        out += (out.empty() ? "" : " ") + config::port_text(rule.port, rule.protocol);
    return out;
}

std::string port_policy_json(const config::Policy& policy) {
    auto ports = nlohmann::json::array();
    for (const auto& rule : policy.ports) {
        nlohmann::json sources = "any";
        if (!rule.any_source) {
            sources = nlohmann::json::array();
            for (const auto& c : rule.allowed_sources) sources.push_back(c.str_with_len());
        }
        nlohmann::json approval = false;
        if (rule.approval)
            approval = {{"required", rule.approval->required},
                        {"wait", config::format_duration(rule.approval->wait)}};
        ports.push_back({{"port", rule.port},
                         {"protocol", config::to_string(rule.protocol)},
                         {"max_duration", config::format_duration(rule.max_duration)},
                         {"sources", std::move(sources)},
                         {"approval", std::move(approval)}});
    }
    const nlohmann::json all = {{"require_reason", policy.require_reason},
                                {"ports", std::move(ports)}};
    return all.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string recommended_text(const std::vector<Recommendation>& list) {
    std::string out;
    for (const auto& r : list)
        out += (out.empty() ? "" : " ") + config::port_text(r.port, r.protocol);
    return out;
}

void note_policy(AuditEvent& ev, const config::Policy& policy) {
    ev.set_config(audit_fields::kPorts, protected_ports_text(policy));
    ev.set_config(audit_fields::kPortPolicy, port_policy_json(policy));
    ev.set_config(audit_fields::kRecommended, recommended_text(recommended_ports(policy)));
}

}  // namespace jitd::agent
