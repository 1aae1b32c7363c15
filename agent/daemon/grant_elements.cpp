#include "agent/daemon/grant_elements.hpp"

#include <algorithm>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/policy_bridge.hpp"

namespace jitd::agent {

std::size_t ElementKeyHash::operator()(const nft::ElementKey& k) const noexcept {
    // FNV-1a over the key's bytes: cheap and well spread for addresses.
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::uint8_t b) {
        h ^= b;
        h *= 1099511628211ull;
    };
    std::size_t n = k.source.family == nft::Prefix::Family::ipv4 ? 4 : 16;
    for (std::size_t i = 0; i < n; ++i) mix(k.source.bytes[i]);
    mix(static_cast<std::uint8_t>(k.source.family));
    mix(k.source.len);
    mix(static_cast<std::uint8_t>(k.proto));
    mix(static_cast<std::uint8_t>(k.port >> 8));
    mix(static_cast<std::uint8_t>(k.port & 0xff));
    return static_cast<std::size_t>(h);
}

nft::Element element_of(const LiveGrant& g, const nft::ElementKey& key, wire::SysSeconds now) {
    nft::Element e;
    e.key = key;
    e.timeout = std::max(g.grant.end - now, std::chrono::seconds(1));
    e.comment = format_comment({g.grant.id, g.grant.uid, g.grant.start, g.grant.reason, false},
                               g.chain_start());
    return e;
}

GrantKeys keys_of(const config::Cidr& source, config::Protocol protocol, std::uint16_t port) {
    // Not l4s_of(): no vector per call, this runs for every lookup of a grant's keys.
    GrantKeys keys;
    const nft::Prefix prefix = to_prefix(source);
    if (protocol != config::Protocol::udp) keys.push_back({prefix, nft::L4::tcp, port});
    if (protocol != config::Protocol::tcp) keys.push_back({prefix, nft::L4::udp, port});
    return keys;
}

bool GrantKeys::contains(const nft::ElementKey& k) const {
    return std::find(begin(), end(), k) != end();
}

GrantKeys LiveGrant::keys() const {
    return keys_of(source, grant.protocol, grant.port);
}

}  // namespace jitd::agent
