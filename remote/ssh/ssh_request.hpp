// The jitd signed request (docs/REMOTE-SSH.md has the byte layout) and the datagram that carries
// it: string request || string sshsig, at most 1232 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/cidr.hpp"
#include "config/policy.hpp"

namespace jitd::remote::ssh {

inline constexpr std::string_view kRequestMagic = "JITD-REQ";
inline constexpr std::uint8_t kRequestVersion = 1;
// IPv6 minimum MTU 1280 - 40 (IPv6) - 8 (UDP): never fragmented.
inline constexpr std::size_t kMaxDatagram = 1232;
inline constexpr std::size_t kMaxHostName = 253;
inline constexpr std::size_t kMaxReasonBytes = 600;
inline constexpr std::size_t kMaxUserName = 32;

struct SignedRequest {
    enum class End : std::uint8_t { default_duration = 0, duration = 1, until = 2 };

    std::string host;  // the target as the client named it
    std::uint16_t port = 0;
    std::optional<config::Protocol> protocol;  // tcp or udp; empty = the port's protocol
    std::optional<config::Cidr> source;        // empty = "the address this packet came from"
    End end = End::default_duration;
    std::uint64_t end_value = 0;  // seconds (duration) or seconds since the epoch (until)
    std::string reason;
    std::string user;               // empty: the key's owner (or a certificate's only principal)
    std::uint64_t client_time = 0;  // seconds since the epoch
    std::array<std::uint8_t, 16> nonce{};
    friend bool operator==(const SignedRequest&, const SignedRequest&) = default;
};

// The id jitd gives the request when its port needs approval: "r-" + 12 hex digits of
// SHA-256 over the nonce, so the client can tell its user before any answer (jitd sends none).
// Every key's copy of a request carries the same nonce, hence the same id.
std::string pending_request_id(const std::array<std::uint8_t, 16>& nonce);

// Throws WireError for a request that cannot be encoded (empty host, port 0, oversize text).
std::string encode_request(const SignedRequest& r);
// Strict: one encoding per request, no trailing bytes. Throws WireError.
SignedRequest decode_request(std::string_view bytes);

struct DatagramParts {
    std::string_view request;
    std::string_view sshsig;
};
std::string encode_datagram(std::string_view request, std::string_view sshsig);
// Throws WireError (including for more than kMaxDatagram bytes).
DatagramParts split_datagram(std::string_view datagram);
// A cheap test for dispatching between formats: the request magic at its place.
bool looks_like_signed_request(std::string_view datagram);

}  // namespace jitd::remote::ssh
