// The host's TCP/UDP sockets through sock_diag (NETLINK_SOCK_DIAG, inet_diag): listing them,
// and ending one with SOCK_DESTROY as `ss -K` does (the kernel resets a TCP peer).
#pragma once

#include <linux/inet_diag.h>

#include <cstdint>
#include <vector>

#include "nft/model.hpp"
#include "nft/netlink_socket.hpp"

namespace jitd::sessions {

struct DiagSocket {
    nft::L4 proto = nft::L4::tcp;
    nft::Tuple tuple;        // IPv4-mapped IPv6 ends (dual-stack listeners) as IPv4
    std::uint8_t state = 0;  // TCP_ESTABLISHED, ... (UDP: 7 unconnected, 1 connected)
    int diag_family = 0;     // the socket's own family, which SOCK_DESTROY needs
    inet_diag_sockid id{};   // as the kernel gave it (cookie included)
};

// TCP states as sock_diag numbers them (include/net/tcp_states.h), as bits for `states`.
inline constexpr std::uint32_t kTcpEstablished = 1;
inline constexpr std::uint32_t state_bit(std::uint32_t state) {
    return 1u << state;
}
// The TCP states of a socket that still holds a connection with its peer.
std::uint32_t connected_tcp_states();

class SockDiag {
  public:
    SockDiag();  // in the calling thread's network namespace; throws std::system_error

    // Sockets of `proto` in one of `states` (bits), both families.
    std::vector<DiagSocket> list(nft::L4 proto, std::uint32_t states);
    // SOCK_DESTROY: 0, or the positive errno (ENOENT: gone already; EOPNOTSUPP: the kernel
    // was built without CONFIG_INET_DIAG_DESTROY).
    int destroy(const DiagSocket& s);
    // Whether SOCK_DESTROY works here: asks to destroy a socket that does not exist.
    bool can_destroy();

  private:
    nft::NetlinkSocket nl_;
};

}  // namespace jitd::sessions
