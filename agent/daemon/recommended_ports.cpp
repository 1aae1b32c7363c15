#include "agent/daemon/recommended_ports.hpp"

#include <algorithm>
#include <tuple>

namespace jitd::agent {

using config::Protocol;

const std::vector<ManagementPort>& management_ports() {
    static const std::vector<ManagementPort> table = {
        {22, Protocol::tcp, "ssh"},
        {23, Protocol::tcp, "telnet"},
        {1433, Protocol::tcp, "ms-sql-s"},
        {2222, Protocol::tcp, "ssh-alt"},
        {3306, Protocol::tcp, "mysql"},
        {3350, Protocol::tcp, "xrdp-sesman"},
        {3389, Protocol::any, "ms-wbt-server"},  // RDP: tcp, and udp for its transport
        {5432, Protocol::tcp, "postgresql"},
        {5900, Protocol::tcp, "vnc"},
        {5901, Protocol::tcp, "vnc-1"},
        {5902, Protocol::tcp, "vnc-2"},
        {5903, Protocol::tcp, "vnc-3"},
        {5985, Protocol::tcp, "wsman"},
        {5986, Protocol::tcp, "wsmans"},
        {6379, Protocol::tcp, "redis"},
        {9090, Protocol::tcp, "cockpit"},
        {27017, Protocol::tcp, "mongodb"},
    };
    return table;
}

std::string suggested_policy_line(std::uint16_t port, Protocol protocol) {
    return "- {port: " + std::to_string(port) + ", protocol: " + config::to_string(protocol) +
           ", max_duration: 1h}";
}

std::vector<Recommendation> recommend(
    const std::vector<ListeningPort>& listening, const config::Policy& policy,
    const std::function<std::string(std::uint16_t, Protocol)>& service_name) {
    std::vector<Recommendation> out;
    for (const auto& l : listening) {
        const auto& table = management_ports();
        const auto known = std::find_if(table.begin(), table.end(), [&](const ManagementPort& m) {
            return m.port == l.port && (m.protocol == Protocol::any || m.protocol == l.protocol);
        });
        if (known == table.end()) continue;
        const bool is_protected = std::any_of(
            policy.ports.begin(), policy.ports.end(),
            [&](const config::PortRule& r) { return r.port == l.port && r.covers(l.protocol); });
        const bool listed = std::any_of(out.begin(), out.end(), [&](const Recommendation& r) {
            return r.port == l.port && r.protocol == l.protocol;
        });
        if (is_protected || listed) continue;
        std::string name = service_name(l.port, l.protocol);
        if (name.empty()) name = std::string(known->name);
        out.push_back(
            {l.port, l.protocol, std::move(name), suggested_policy_line(l.port, l.protocol)});
    }
    std::sort(out.begin(), out.end(), [](const Recommendation& a, const Recommendation& b) {
        return std::tuple(a.port, a.protocol) < std::tuple(b.port, b.protocol);
    });
    return out;
}

std::string recommendations_text(const std::vector<Recommendation>& list) {
    std::string out;
    for (const auto& r : list)
        out += config::port_text(r.port, r.protocol) + " (" + r.service +
               ") listens but is not protected; to protect it, add to ports:  " + r.policy_line +
               "\n";
    return out;
}

nlohmann::json recommendations_json(const std::vector<Recommendation>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : list)
        out.push_back({{"port", r.port},
                       {"protocol", config::to_string(r.protocol)},
                       {"service", r.service},
                       {"policy", r.policy_line}});
    return out;
}

}  // namespace jitd::agent
