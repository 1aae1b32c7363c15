// Translation between a grant and its kernel elements: the keys it occupies and the element
// (timeout, comment) the kernel should hold for each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "agent/daemon/live_grant.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

struct ElementKeyHash {
    std::size_t operator()(const nft::ElementKey& k) const noexcept;
};

// One grant element of a grant, as the kernel should hold it: its comment carries the id,
// owner, start, chain start and reason (comment.hpp).
nft::Element element_of(const LiveGrant& g, const nft::ElementKey& key, wire::SysSeconds now);
// The keys a grant of `protocol` on `port` from `source` occupies.
GrantKeys keys_of(const config::Cidr& source, config::Protocol protocol, std::uint16_t port);

}  // namespace jitd::agent
