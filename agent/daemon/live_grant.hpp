// One live grant as the daemon holds it: the protocol's grant plus what the kernel needs.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "agent/wire/grant.hpp"
#include "config/cidr.hpp"
#include "nft/model.hpp"

namespace jitd::agent {

// The kernel keys of one grant, held inline: one per protocol, two for `any`.
class GrantKeys {
  public:
    void push_back(const nft::ElementKey& k) { keys_.at(n_++) = k; }
    const nft::ElementKey* begin() const { return keys_.data(); }
    const nft::ElementKey* end() const { return keys_.data() + n_; }
    std::size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    const nft::ElementKey& operator[](std::size_t i) const { return keys_.at(i); }
    bool contains(const nft::ElementKey& k) const;
    // For the nft layer's change lists.
    operator std::vector<nft::ElementKey>() const { return {begin(), end()}; }  // NOLINT

  private:
    std::array<nft::ElementKey, 2> keys_{};
    std::size_t n_ = 0;
};

struct LiveGrant {
    wire::Grant grant;  // grant.reason: the requester's (cut and marked after a restart, if long)
    config::Cidr source;
    // Derived from source, grant.protocol and grant.port, not stored: 100k grants hold ~6 MiB
    // less (a vector and its heap block each).
    GrantKeys keys() const;
    // Set when the grant superseded another: the start of the first grant of that chain
    // (max_total_duration counts from it). Extends keep grant.start, so they need none.
    std::optional<wire::SysSeconds> chain_start;
    wire::SysSeconds chain_began() const { return chain_start.value_or(grant.start); }
};

}  // namespace jitd::agent
