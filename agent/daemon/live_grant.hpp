// One live grant as the daemon holds it: the protocol's grant plus what the kernel needs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
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
    // The book's, not the grant's: where the id sits in the book's bucket of its end second
    // (removal swaps it with the bucket's last, no search). Fits in padding after `source`.
    std::uint32_t end_slot = 0;
    // Derived from source, grant.protocol and grant.port, not stored: 100k grants hold ~6 MiB
    // less (a vector and its heap block each).
    GrantKeys keys() const;
    // Set when the grant superseded another: the start of the first grant of that chain
    // (max_total_duration counts from it). Extends keep grant.start, so they need none.
    std::optional<wire::SysSeconds> chain_start() const {
        if (chain_start_ == kNoChain) return std::nullopt;
        return chain_start_;
    }
    void set_chain_start(std::optional<wire::SysSeconds> t) { chain_start_ = t.value_or(kNoChain); }
    wire::SysSeconds chain_began() const {
        return chain_start_ == kNoChain ? grant.start : chain_start_;
    }

  private:
    // A plain time with a sentinel, not a std::optional: 8 bytes less per grant, which with
    // the allocator's rounding is 16 per node of the book.
    static constexpr wire::SysSeconds kNoChain = wire::SysSeconds::min();
    wire::SysSeconds chain_start_ = kNoChain;
};

}  // namespace jitd::agent
