// A bound netlink socket of one protocol and the request/reply loop every netlink user of ours
// needs (nf_tables gets, sock_diag and ctnetlink dumps and deletes): one request out, every
// reply to a callback, until the kernel's ACK or DONE.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "nft/handles.hpp"

namespace jitd::nft {

class NetlinkSocket {
  public:
    // Opens and binds `protocol` (NETLINK_NETFILTER, NETLINK_SOCK_DIAG) in the calling thread's
    // network namespace, with a receive buffer of `rx_bytes` (larger than any one reply);
    // throws std::system_error when that fails.
    NetlinkSocket(int protocol, std::size_t rx_bytes);
    // Adopts a socket open_bound() made (it stays in the namespace it was opened in).
    NetlinkSocket(handles::Socket sock, std::size_t rx_bytes);
    // A bound socket of `protocol` in the calling thread's network namespace.
    static handles::Socket open_bound(int protocol);
    // Gives the socket back (this object is then unusable).
    handles::Socket release() { return std::move(sock_); }

    using Build = std::function<nlmsghdr*(char* buf, std::uint32_t seq)>;
    using OnReply = std::function<void(const nlmsghdr*)>;
    // Sends a get or delete (NLM_F_ACK) or dump (NLM_F_DUMP) request built by `build` and feeds
    // every reply message to `on_reply`, if given. Returns 0 or the kernel's positive errno
    // (EINTR: a dump was interrupted by a concurrent change and should be repeated).
    int request(const Build& build, const OnReply& on_reply = {});

    // Reads and discards whatever the kernel has still queued for us.
    void drain();

    mnl_socket* get() const { return sock_.get(); }
    int fd() const { return mnl_socket_get_fd(sock_.get()); }
    std::uint32_t portid() const { return portid_; }
    // The next sequence number; a batch sender moves it past the batch it sent.
    std::uint32_t next_seq() const { return seq_; }
    void set_next_seq(std::uint32_t seq) { seq_ = seq; }
    std::vector<char>& rx() { return rx_; }

  private:
    handles::Socket sock_;
    std::uint32_t portid_ = 0;
    std::uint32_t seq_ = 0;
    std::vector<char> rx_;
};

}  // namespace jitd::nft
