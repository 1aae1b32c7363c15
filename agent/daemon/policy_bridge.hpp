// Translation between the policy's terms (config::) and the kernel's (nft::).
#pragma once

#include <vector>

#include "config/cidr.hpp"
#include "config/policy.hpp"
#include "nft/model.hpp"

namespace jitd::agent {

nft::Prefix to_prefix(const config::Cidr& c);
config::Cidr to_cidr(const nft::Prefix& p);

// tcp -> {tcp}, udp -> {udp}, any -> {tcp, udp}.
std::vector<nft::L4> l4s_of(config::Protocol p);
config::Protocol protocol_of(nft::L4 l4);

// The protected pairs and always-allow prefixes the policy asks the kernel for.
nft::TableSpec table_spec(const config::Policy& policy);

}  // namespace jitd::agent
