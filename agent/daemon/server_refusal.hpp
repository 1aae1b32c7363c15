// The refusals the socket server makes itself (caps, oversized lines): journaled like every
// other decision, sent as the connection's one line.
#pragma once

#include <cstddef>
#include <string>

#include "agent/daemon/peer.hpp"
#include "agent/wire/response.hpp"

namespace jitd::agent {

// Journals the refusal and returns its response line (without newline).
std::string refuse_connection(const Peer& peer, wire::ErrorCode code, const std::string& message);
// Answers a refused connection with its one line; a fresh socket's buffer has room for it, and
// if not, the close says enough.
void send_refusal(int fd, std::string line);
std::string too_large(const Peer& peer, std::size_t max_line);

}  // namespace jitd::agent
