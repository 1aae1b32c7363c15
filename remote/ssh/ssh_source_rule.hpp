// Where a key may be used from: authorized_keys `from="..."` (addresses and CIDRs, `!` to
// exclude) or a certificate's `source-address` critical option (CIDRs).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/cidr.hpp"

namespace jitd::remote::ssh {

struct SourceRule {
    std::vector<config::Cidr> allow;
    std::vector<config::Cidr> deny;

    // The sender's address: in an allowed network and in no excluded one.
    bool admits(const config::Cidr& host) const;
    // A requested network: wholly inside one allowed network and touching no excluded one.
    bool admits_network(const config::Cidr& net) const;
    std::string str() const;
};

struct SourceRuleParse {
    SourceRule rule;
    std::string error;  // empty on success
};

// `from=` pattern list. Host names and wildcards are refused: the check must not depend on DNS.
SourceRuleParse parse_from_patterns(std::string_view list);
// `source-address`: comma-separated addresses or CIDRs, no negation.
SourceRuleParse parse_source_address(std::string_view list);

}  // namespace jitd::remote::ssh
