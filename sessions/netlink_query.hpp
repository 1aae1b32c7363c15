// A netlink socket of one protocol (NETLINK_SOCK_DIAG, NETLINK_NETFILTER) for plain requests:
// a dump fed message by message to a callback, or one request answered by an ACK.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "sessions/handles.hpp"

namespace jitd::sessions {

class NetlinkQuery {
  public:
    // Opens and binds the socket in the calling thread's network namespace; throws
    // std::system_error when that fails.
    explicit NetlinkQuery(int protocol);

    using Build = std::function<nlmsghdr*(char* buf, std::uint32_t seq)>;
    // Sends a NLM_F_DUMP request and hands every reply to `on_reply`. Returns 0 or the
    // kernel's positive errno.
    int dump(const Build& build, const std::function<void(const nlmsghdr*)>& on_reply);
    // Sends a request with NLM_F_ACK; returns 0 or the kernel's positive errno.
    int ack(const Build& build);

  private:
    int run(const Build& build, const std::function<void(const nlmsghdr*)>* on_reply);
    handles::Socket sock_;
    std::uint32_t portid_ = 0;
    std::uint32_t seq_ = 1;
    std::vector<char> rx_;
};

}  // namespace jitd::sessions
