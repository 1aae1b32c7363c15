// The request lines one event-loop turn read from the socket connections (Server gathers them,
// Engine::handle_batch decides them), and the answer to each.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/daemon/peer.hpp"

namespace jitd::agent {

struct BatchLine {
    const Peer* peer = nullptr;  // the connection's peer (outlives the batch)
    std::string_view line;       // without its newline
};

struct BatchAnswer {
    std::string line;                    // the response line, without its newline
    std::optional<std::string> waiting;  // open --wait answered pending: its request id
};

}  // namespace jitd::agent
