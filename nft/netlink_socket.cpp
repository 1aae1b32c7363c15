#include "nft/netlink_socket.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <ctime>
#include <system_error>

namespace jitd::nft {
namespace {

std::system_error sys_error(const char* what) {
    return std::system_error(errno, std::generic_category(), what);
}

}  // namespace

handles::Socket NetlinkSocket::open_bound(int protocol) {
    handles::Socket sock(mnl_socket_open2(protocol, SOCK_CLOEXEC));
    if (!sock) throw sys_error("netlink socket");
    if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) throw sys_error("netlink bind");
    return sock;
}

NetlinkSocket::NetlinkSocket(int protocol, std::size_t rx_bytes)
    : NetlinkSocket(open_bound(protocol), rx_bytes) {}

NetlinkSocket::NetlinkSocket(handles::Socket sock, std::size_t rx_bytes)
    : sock_(std::move(sock)), rx_(rx_bytes) {
    portid_ = mnl_socket_get_portid(sock_.get());
    // The kernel queues every reply while it handles the request; a read that waits longer is a
    // bug, not a slow kernel.
    timeval tv{10, 0};
    setsockopt(fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    seq_ = static_cast<std::uint32_t>(std::time(nullptr));
}

int NetlinkSocket::request(const Build& build, const OnReply& on_reply) {
    std::vector<char> req(MNL_SOCKET_BUFFER_SIZE);
    const std::uint32_t seq = seq_++;
    nlmsghdr* nlh = build(req.data(), seq);
    if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) throw sys_error("netlink send");
    auto cb = [](const nlmsghdr* m, void* data) -> int {
        const auto& fn = *static_cast<const OnReply*>(data);
        if (fn) fn(m);
        return MNL_CB_OK;
    };
    int ret = MNL_CB_OK;
    int error = 0;
    while (ret > MNL_CB_STOP) {
        const ssize_t n = mnl_socket_recvfrom(sock_.get(), rx_.data(), rx_.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw sys_error("netlink receive");
        }
        ret = mnl_cb_run(rx_.data(), static_cast<std::size_t>(n), seq, portid_, cb,
                         const_cast<OnReply*>(&on_reply));
        if (ret < 0) error = errno != 0 ? errno : EIO;
    }
    if (error != 0) drain();  // an interrupted dump may still have parts queued
    return error;
}

void NetlinkSocket::drain() {
    while (true) {
        const ssize_t n = recv(fd(), rx_.data(), rx_.size(), MSG_DONTWAIT);
        if (n > 0 || (n < 0 && (errno == EINTR || errno == ENOBUFS))) continue;
        return;  // empty (EAGAIN) or broken: nothing more to read either way
    }
}

}  // namespace jitd::nft
