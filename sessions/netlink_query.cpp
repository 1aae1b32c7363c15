#include "sessions/netlink_query.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <ctime>
#include <system_error>

namespace jitd::sessions {
namespace {

constexpr std::size_t kRxBuffer = 64 * 1024;  // dumps come in messages of up to 32 KiB

}  // namespace

NetlinkQuery::NetlinkQuery(int protocol) : rx_(kRxBuffer) {
    sock_.reset(mnl_socket_open2(protocol, SOCK_CLOEXEC));
    if (!sock_) throw std::system_error(errno, std::generic_category(), "netlink socket");
    if (mnl_socket_bind(sock_.get(), 0, MNL_SOCKET_AUTOPID) < 0)
        throw std::system_error(errno, std::generic_category(), "netlink bind");
    portid_ = mnl_socket_get_portid(sock_.get());
    // The kernel answers while it handles the request; a read that waits longer is a bug.
    timeval tv{10, 0};
    setsockopt(mnl_socket_get_fd(sock_.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    seq_ = static_cast<std::uint32_t>(std::time(nullptr));
}

int NetlinkQuery::run(const Build& build, const std::function<void(const nlmsghdr*)>* on_reply) {
    std::vector<char> req(MNL_SOCKET_BUFFER_SIZE);
    const std::uint32_t seq = seq_++;
    nlmsghdr* nlh = build(req.data(), seq);
    if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0)
        throw std::system_error(errno, std::generic_category(), "netlink send");
    auto cb = [](const nlmsghdr* m, void* data) -> int {
        const auto* fn = static_cast<const std::function<void(const nlmsghdr*)>*>(data);
        if (fn != nullptr) (*fn)(m);
        return MNL_CB_OK;
    };
    int ret = MNL_CB_OK;
    int error = 0;
    while (ret > MNL_CB_STOP) {
        const ssize_t n = mnl_socket_recvfrom(sock_.get(), rx_.data(), rx_.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "netlink receive");
        }
        ret = mnl_cb_run(rx_.data(), static_cast<std::size_t>(n), seq, portid_, cb,
                         const_cast<std::function<void(const nlmsghdr*)>*>(on_reply));
        if (ret < 0) error = errno != 0 ? errno : EIO;
    }
    return error;
}

int NetlinkQuery::dump(const Build& build, const std::function<void(const nlmsghdr*)>& on_reply) {
    return run(build, &on_reply);
}

int NetlinkQuery::ack(const Build& build) {
    return run(build, nullptr);
}

}  // namespace jitd::sessions
