// The kernel's own limit for one grant: a minimal libnftnl/libmnl loop that adds one element
// to `table inet jitd` set grant4_host per transaction (BATCH_BEGIN, NEWSETELEM with timeout
// and comment, BATCH_END) and waits for the kernel's acknowledgement. No parsing, no cache,
// no daemon: what any tool must pay at least.
#pragma once

#include <libmnl/libmnl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace jitd::bench {

class RawFloor {
  public:
    RawFloor();  // a netlink socket in the calling thread's network namespace

    // Adds `10.0.0.0 + n` . tcp . 22 with the timeout and comment; throws on a kernel error.
    void add_host4(std::uint32_t n, std::chrono::milliseconds timeout, const std::string& comment);
    // One transaction adding comments.size() consecutive hosts from `10.0.0.0 + first`: what
    // a daemon that gathers requests arriving together into one transaction would pay.
    void add_hosts4(std::uint32_t first, const std::vector<std::string>& comments,
                    std::chrono::milliseconds timeout);

  private:
    struct CloseSocket {
        void operator()(mnl_socket* s) const { mnl_socket_close(s); }
    };
    std::unique_ptr<mnl_socket, CloseSocket> sock_;
    std::uint32_t portid_ = 0;
    std::uint32_t seq_ = 0;
    std::vector<char> tx_, rx_;
};

}  // namespace jitd::bench
