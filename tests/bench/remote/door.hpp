// The "door" of the remote benchmark: a TCP listener in the server namespace that accepts and
// drops connections, and connection attempts from one client address, made every millisecond,
// that say when the door opens and when it shuts again. Every function that connects must run
// on a thread inside the client namespace (test::Netns::run).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "agent/wire/fd.hpp"
#include "tests/support/netns.hpp"

namespace jitd::bench::remote {

using Clock = std::chrono::steady_clock;

// Accepts every connection on [::]:port in `ns` and closes it at once (no echo: a probe only
// needs the handshake). The accept queue never fills, so a refused probe means the firewall.
class Acceptor {
  public:
    Acceptor(const test::Netns& ns, std::uint16_t port);
    ~Acceptor();
    Acceptor(const Acceptor&) = delete;
    Acceptor& operator=(const Acceptor&) = delete;

  private:
    wire::Fd listen_;
    wire::Fd stop_read_, stop_write_;
    std::thread thread_;
};

// One non-blocking connect from src to dst:port, waiting at most `wait` for the handshake.
// The socket is closed with a reset (SO_LINGER 0), so thousands of probes leave no TIME_WAIT.
bool connect_once(const std::string& src, const std::string& dst, std::uint16_t port,
                  std::chrono::microseconds wait);

// Attempts a connect every millisecond until one succeeds; returns the moment it did, or
// nothing once `limit` has passed since `start`.
std::optional<Clock::time_point> wait_open(const std::string& src, const std::string& dst,
                                           std::uint16_t port, Clock::time_point start,
                                           std::chrono::milliseconds limit);

// Attempts a connect every millisecond until one fails and a slow (300 ms) attempt right after
// it fails too (a slow handshake on a loaded machine is not a closed door); returns the start
// of the first failed attempt, or nothing once `limit` has passed.
std::optional<Clock::time_point> wait_closed(const std::string& src, const std::string& dst,
                                             std::uint16_t port, std::chrono::milliseconds limit);

// Adds `count` addresses 198.51.100.FIRST.. (/24) to the client's interface, with permanent
// neighbour entries on the server side, so no probe waits for ARP. Returns them.
std::vector<std::string> add_client_addresses(const test::Netns& server, const test::Netns& client,
                                              unsigned first, unsigned count);

}  // namespace jitd::bench::remote
