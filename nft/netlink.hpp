// The netlink socket to nf_tables: sends a batch and collects every acknowledgement, and runs
// get/dump requests (NetlinkSocket). Errors are returned as data; turning them into exceptions
// is the caller's.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nft/batch.hpp"
#include "nft/netlink_socket.hpp"

namespace jitd::nft {

// A kernel error for one message of a batch.
struct Failure {
    std::uint32_t seq = 0;
    int err = 0;              // positive errno
    std::string kernel_says;  // NLMSGERR_ATTR_MSG (extended ack), if the kernel gave one
};

struct BatchResult {
    std::vector<Failure> failures;  // in the order the kernel processed the messages
    bool overflow = false;          // more errors came back than the receive buffer held
};

class Netlink {
  public:
    // Opens NETLINK_NETFILTER in the calling thread's network namespace.
    Netlink();
    // Adopts a socket of open_socket(), wherever that was opened; release() gives it back.
    explicit Netlink(handles::Socket sock);
    static handles::Socket open_socket();
    handles::Socket release() { return sock_.release(); }

    // Sends one transaction and waits until the kernel has answered for all of it.
    BatchResult transact(const Batch& batch);

    // Sends a get (NLM_F_ACK) or dump (NLM_F_DUMP) request built by `build` and feeds every
    // reply message to `on_reply`. Returns 0 or the kernel's positive errno (EINTR: a dump
    // was interrupted by a concurrent change and should be repeated).
    int request(const NetlinkSocket::Build& build, const NetlinkSocket::OnReply& on_reply) {
        return sock_.request(build, on_reply);
    }

    // The sequence number a new Batch starts at; transact() moves past the batch.
    std::uint32_t next_seq() const { return sock_.next_seq(); }
    std::uint32_t portid() const { return sock_.portid(); }

  private:
    void ensure_buffers(std::size_t batch_bytes);
    // Reads acknowledgements into `result` until the kernel has answered for all of `batch`.
    void collect_acks(const Batch& batch, BatchResult& result);

    NetlinkSocket sock_;
    std::size_t sndbuf_ = 0;
    std::size_t rcvbuf_ = 0;
};

}  // namespace jitd::nft
