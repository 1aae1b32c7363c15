// The sockets of this network namespace that wait for remote peers, from the kernel's socket
// diagnostics (NETLINK_SOCK_DIAG inet_diag dumps: TCP in LISTEN, UDP bound and unconnected,
// IPv4 and IPv6), for the recommended-ports list of `status` and `jitd --check`.
#pragma once

#include <string>
#include <vector>

#include "agent/daemon/recommended_ports.hpp"
#include "nft/model.hpp"

namespace jitd::agent {

// Whether a socket bound to `t.local` can only be reached from the host (127.0.0.0/8, ::1).
bool loopback_only(const nft::Tuple& t);

// Listening TCP and bound UDP sockets not bound to a loopback address, one per port and
// protocol. Throws std::system_error when the dump fails.
std::vector<ListeningPort> listening_ports();

// The /etc/services name of a table port (getservbyport_r), looked up once per process for the
// whole table and kept, so that `status` never waits for NSS; "" when it has none.
std::string service_name(std::uint16_t port, config::Protocol protocol);

// recommend() over this namespace's listening sockets; empty (after a log line) when the
// kernel's dump fails.
std::vector<Recommendation> recommended_ports(const config::Policy& policy);

}  // namespace jitd::agent
