// What the daemon asks of the host's connections: the TCP sessions open on protected ports
// (for the first install's pickups), and ending the sessions behind a revoked grant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nft/model.hpp"

namespace jitd::sessions {

// Established TCP sessions whose local port is one of `ports`. Throws std::system_error.
std::vector<nft::Tuple> established_tcp(const std::vector<std::uint16_t>& ports);

// Whether SOCK_DESTROY works in this kernel (CONFIG_INET_DIAG_DESTROY). Throws
// std::system_error when sock_diag itself cannot be used.
bool can_destroy_sockets();

struct KillReport {
    std::size_t sockets = 0;           // sockets destroyed (TCP peers get a reset)
    std::size_t conntrack = 0;         // conntrack entries deleted
    bool destroy_unsupported = false;  // the kernel has no SOCK_DESTROY: sockets stay open
    std::string problem;               // "" or what failed (the rest was still done)
};

// Ends every session that `door` let in: the sockets whose local port is door.port and whose
// peer lies in door.source (TCP in any connected state, UDP only when connected to a peer),
// then the conntrack entries of door.proto to or from door.port with that peer.
KillReport kill_sessions(const std::vector<nft::ElementKey>& doors);

// True when `addr` (of `family`) lies in `prefix`.
bool covers(const nft::Prefix& prefix, nft::Prefix::Family family,
            const std::array<std::uint8_t, 16>& addr);

}  // namespace jitd::sessions
