// `jit-request open PORT --host HOST ...` as one call: the CLI fills RemoteOpenOptions with the
// user's text and prints nothing itself (the lead registers the options in cli.cpp).
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

namespace jitd::client {

// EX_TEMPFAIL: --wait ran out before the port accepted a connection.
inline constexpr int kExitWaitTimeout = 75;

struct RemoteOpenOptions {
    std::string port;                               // "22", "22/tcp", "53/udp"
    std::string host;                               // HOST[:UDPPORT] or [V6]:UDPPORT
    std::optional<std::string> for_text;            // --for 1h
    std::optional<std::string> until;               // --until 17:00, +90m, 2026-11-23T14:03Z
    std::optional<std::string> from;                // --from ADDR[/LEN]
    bool from_packet = false;                       // --from-packet
    std::string reason;                             // --reason
    std::string user;                               // --user (empty: the key's owner)
    std::optional<std::string> key;                 // --key FILE (default: ssh-agent)
    std::optional<std::chrono::milliseconds> wait;  // --wait[=30s]
    bool quiet = false;
};

// Returns the exit code: 0 sent (and, with --wait, the port accepts), 64 bad arguments,
// 69 no key or the send failed, 75 the wait ran out.
int run_remote_open(const RemoteOpenOptions& opts, std::ostream& out, std::ostream& err);

}  // namespace jitd::client
