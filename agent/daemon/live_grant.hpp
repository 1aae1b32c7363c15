// One live grant as the daemon holds it: the protocol's grant plus what the kernel needs.
#pragma once

#include <optional>
#include <vector>

#include "agent/wire/grant.hpp"
#include "config/cidr.hpp"
#include "nft/model.hpp"

namespace jitd::agent {

struct LiveGrant {
    wire::Grant grant;  // grant.reason: the requester's (cut and marked after a restart, if long)
    config::Cidr source;
    std::vector<nft::ElementKey> keys;  // one per protocol (two for `any`)
    // Set when the grant superseded another: the start of the first grant of that chain
    // (max_total_duration counts from it). Extends keep grant.start, so they need none.
    std::optional<wire::SysSeconds> chain_start;
    wire::SysSeconds chain_began() const { return chain_start.value_or(grant.start); }
};

}  // namespace jitd::agent
