// One connection of the Server (server.cpp accepts and admits it, server_lines.cpp serves it).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/daemon/server.hpp"

namespace jitd::agent {

struct Server::Connection {
    Server* server = nullptr;
    Fd fd;
    Peer peer;
    SourcePtr io;
    SourcePtr idle;
    SourcePtr aged;
    std::string in;
    std::size_t scanned = 0;  // bytes of `in` known to hold no newline
    std::size_t line = 0;     // while queued: the length of the complete line at the front
    std::string out;
    std::size_t out_pos = 0;
    bool closing = false;     // no more requests: close once `out` is sent
    bool eof = false;         // the peer sent all it will: answer what is in `in`, then close
    bool queued = false;      // in ready_: its front line goes to the next batch
    std::uint64_t token = 0;  // while its identity is being looked up
    bool admitted = false;    // identity known, being served
    bool privileged = false;  // root or admin: may use the reserved connections
};

inline std::uint64_t usec(std::chrono::seconds s) {
    return static_cast<std::uint64_t>(s.count()) * 1000000u;
}

}  // namespace jitd::agent
