// Where a request came from, for every channel alike: who (the identity the channel
// authenticated), through which channel, and what that channel adds to the journal entry.
// The decisions (Engine::submit) never look at the transport itself.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "agent/daemon/peer.hpp"

namespace jitd::agent {

struct Origin {
    Peer peer;                       // uid, gid, user and group names the role is judged by
    std::string channel = "socket";  // JITD_CHANNEL: "socket" or "remote"
    std::string authenticated_by = "peercred";  // "peercred", "fwknop", "sshsig"
    // Fields the channel adds to every journal entry of this request (JITD_KEY,
    // JITD_PACKET_SOURCE, JITD_CLIENT_USER); values are bounded when written.
    std::vector<std::pair<std::string, std::string>> audit_fields;
};

inline Origin socket_origin(const Peer& peer) {
    return Origin{peer, "socket", "peercred", {}};
}

}  // namespace jitd::agent
