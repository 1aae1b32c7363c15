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
