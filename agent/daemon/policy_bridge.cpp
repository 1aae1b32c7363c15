#include "agent/daemon/policy_bridge.hpp"

namespace jitd::agent {

nft::Prefix to_prefix(const config::Cidr& c) {
    nft::Prefix p;
    p.family = c.family == config::Cidr::Family::ipv4 ? nft::Prefix::Family::ipv4
                                                      : nft::Prefix::Family::ipv6;
    p.bytes = c.bytes;
    p.len = c.prefix_len;
    return p;
}

config::Cidr to_cidr(const nft::Prefix& p) {
    config::Cidr c;
    c.family = p.family == nft::Prefix::Family::ipv4 ? config::Cidr::Family::ipv4
                                                     : config::Cidr::Family::ipv6;
    c.bytes = p.bytes;
    c.prefix_len = p.len;
    return c;
}

std::vector<nft::L4> l4s_of(config::Protocol p) {
    switch (p) {
        case config::Protocol::tcp:
            return {nft::L4::tcp};
        case config::Protocol::udp:
            return {nft::L4::udp};
        case config::Protocol::any:
            break;
    }
    return {nft::L4::tcp, nft::L4::udp};
}

config::Protocol protocol_of(nft::L4 l4) {
    return l4 == nft::L4::tcp ? config::Protocol::tcp : config::Protocol::udp;
}

nft::TableSpec table_spec(const config::Policy& policy) {
    nft::TableSpec spec;
    for (const auto& rule : policy.ports)
        for (nft::L4 l4 : l4s_of(rule.protocol)) spec.protected_ports.push_back({l4, rule.port});
    for (const auto& c : policy.always_allow) spec.always_allow.push_back(to_prefix(c));
    if (policy.remote) spec.remote_port = policy.remote->port;
    return spec;
}

}  // namespace jitd::agent
