// Reading what nfnetlink_log delivers: netlink messages of NFNL_SUBSYS_ULOG, each carrying a
// copy of one packet from its IP header on (NFULA_PAYLOAD). Pure: bytes in, datagrams out, so
// every malformed input can be fuzzed (tests/fuzz/nflog_packet_fuzz.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "nft/model.hpp"

namespace jitd::nft {

// One UDP datagram as it reached the host.
struct Datagram {
    Prefix::Family family = Prefix::Family::ipv4;
    std::array<std::uint8_t, 16> source{};  // network byte order
    std::uint16_t source_port = 0;
    std::uint16_t dest_port = 0;
    std::string payload;              // the UDP payload
    std::string source_text() const;  // "198.51.100.2", "2001:db8::2"
};

// Why a message or packet yielded no datagram (counted, never journaled one by one).
enum class NflogError : std::uint8_t {
    bad_message,  // a netlink message that is not a well-formed nflog packet message
    no_payload,   // a packet message without NFULA_PAYLOAD
    truncated,    // the IP or UDP lengths claim more than was copied
    bad_ip,       // neither a valid IPv4 nor IPv6 header
    not_udp,      // another protocol, or IPv6 extension headers
    fragment,     // an IPv4 fragment (the kernel reassembles before the input hook)
    lost,         // the socket buffer overflowed (ENOBUFS), or a message was cut (MSG_TRUNC)
};
inline constexpr std::size_t kNflogErrorCount = 7;
std::string_view to_string(NflogError e);

struct NflogSink {
    std::function<void(const Datagram&)> datagram;
    std::function<void(NflogError)> error;
};

// Every netlink message in `buffer` (one recv()); NLMSG_DONE/NOOP and other subsystems' messages
// are skipped, an NLMSG_ERROR or a malformed one is reported as bad_message.
void parse_nflog_buffer(std::span<const std::uint8_t> buffer, const NflogSink& sink);

// The IPv4/IPv6 + UDP packet in `packet` (NFULA_PAYLOAD); false (and `error` set) when it is
// not a whole UDP datagram.
bool parse_udp_packet(std::span<const std::uint8_t> packet, Datagram& out, NflogError& error);

}  // namespace jitd::nft
