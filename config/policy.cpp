// Lookups on a validated policy, and the policy used when the file lists no ports.
#include "config/policy.hpp"

namespace jitd::config {

const char* to_string(Protocol p) {
    switch (p) {
        case Protocol::tcp:
            return "tcp";
        case Protocol::udp:
            return "udp";
        case Protocol::any:
            return "any";
    }
    return "?";
}

std::optional<Protocol> protocol_from_text(std::string_view text) {
    if (text == "tcp") return Protocol::tcp;
    if (text == "udp") return Protocol::udp;
    if (text == "any") return Protocol::any;
    return std::nullopt;
}

std::string port_text(std::uint16_t port, Protocol p) {
    return std::to_string(port) + "/" + to_string(p);
}

const PortRule* Policy::find(std::uint16_t port, Protocol protocol) const {
    for (const auto& rule : ports) {
        if (rule.port != port) continue;
        // `any` asks for the rule covering both protocols; the loader forbids overlaps, so there
        // is at most one rule per (port, protocol).
        if (protocol == Protocol::any ? rule.protocol == Protocol::any : rule.covers(protocol)) {
            return &rule;
        }
    }
    return nullptr;
}

const PortRule* Policy::find_port(std::uint16_t port) const {
    for (const auto& rule : ports) {
        if (rule.port == port) return &rule;
    }
    return nullptr;
}

std::vector<PortRule> default_ports() {
    std::vector<PortRule> out;
    for (std::uint16_t port : {22, 3389, 5985, 5986}) {
        PortRule rule;
        rule.port = port;
        rule.protocol = Protocol::any;
        rule.max_duration = kDefaultMaxDuration;
        rule.any_source = true;
        out.push_back(rule);
    }
    return out;
}

}  // namespace jitd::config
