// `jit-request open PORT --host HOST`: build signed request datagrams (one per usable key), send
// them over UDP, and optionally wait until the port accepts a TCP connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "remote/ssh/ssh_request.hpp"
#include "remote/ssh/ssh_sig.hpp"

namespace jitd::client {

inline constexpr std::uint16_t kDefaultRemotePort = 62201;

struct SignedDatagram {
    std::string key_label;  // key comment or file, for --verbose messages
    std::string bytes;
};

struct BuiltRequests {
    std::vector<SignedDatagram> datagrams;
    std::vector<std::string> skipped;  // "LABEL: why", keys that could not sign or did not fit
    std::string request_id;            // the id jitd gives it if the port needs approval (r-…)
};

// The signers: the --key file when given (signed by ssh-keygen when it is passphrase-protected
// or a security key's), else every usable ssh-agent key ($SSH_AUTH_SOCK).
// Throws std::runtime_error naming what is missing.
std::vector<std::unique_ptr<remote::ssh::Signer>> request_signers(
    const std::optional<std::string>& key_file);

// A fresh 16-byte nonce and the client time filled into `base`, then one datagram per signer.
// All carry the same nonce, so the daemon uses at most one of them.
BuiltRequests build_signed_requests(remote::ssh::SignedRequest base,
                                    std::vector<std::unique_ptr<remote::ssh::Signer>>& signers);

// Sends every datagram to HOST:udp_port (the first address that resolves and sends).
// Returns "" or what went wrong.
std::string send_signed_requests(const std::string& host, std::uint16_t udp_port,
                                 const std::vector<SignedDatagram>& datagrams);

// Polls a TCP connect to HOST:port until one succeeds (true) or `limit` passes (false).
bool wait_for_tcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds limit);

// "HOST" or "HOST:PORT" / "[V6]:PORT" for --host. Throws std::invalid_argument.
std::pair<std::string, std::uint16_t> parse_host_port(const std::string& text);

}  // namespace jitd::client
