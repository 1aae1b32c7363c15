// The names a signed request may give for this host when remote.host_names is not set.
#pragma once

#include <string>
#include <vector>

namespace jitd::agent {

// The hostname, its canonical name (FQDN) when the resolver knows one, and every interface
// address (getifaddrs; IPv6 link-local ones without their zone). Computed at start and reload,
// never per packet, because the FQDN lookup may wait for DNS.
std::vector<std::string> default_host_names();

}  // namespace jitd::agent
