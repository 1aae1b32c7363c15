// NflogSocket: the nfnetlink_log configuration handshake (bind a group, copy mode, queue
// threshold) and the non-blocking drain. Parsing is nflog_packet.cpp's.
#include "nft/nflog.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace jitd::nft {
namespace {

constexpr std::size_t kNflogRxBuffer = 1 << 16;  // several packets of up to kRemoteSnaplen
constexpr int kSocketBuffer = 1 << 20;           // room for a burst while the loop is busy

[[noreturn]] void fail(const std::string& what, int err) {
    throw std::runtime_error("nflog: " + what + ": " + std::strerror(err));
}

// One NFULNL_MSG_CONFIG message for `group` with attributes added by `fill`; waits for its ack.
template <typename Fill>
void configure(mnl_socket* sock, std::uint16_t group, std::uint32_t seq, const std::string& what,
               Fill fill) {
    alignas(nlmsghdr) char buf[8192];
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nlh->nlmsg_seq = seq;
    auto* nfg = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    nfg->nfgen_family = AF_UNSPEC;
    nfg->version = NFNETLINK_V0;
    nfg->res_id = htons(group);
    fill(nlh);
    if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) fail(what, errno);
    const ssize_t n = mnl_socket_recvfrom(sock, buf, sizeof buf);
    if (n < 0) fail(what, errno);
    if (mnl_cb_run(buf, static_cast<std::size_t>(n), seq, mnl_socket_get_portid(sock), nullptr,
                   nullptr) < 0)
        fail(what, errno);
}

}  // namespace

NflogSocket::NflogSocket(handles::Socket sock, std::uint16_t group)
    : sock_(std::move(sock)), group_(group), rx_(kNflogRxBuffer) {}

NflogSocket NflogSocket::open(std::uint16_t group) {
    handles::Socket sock(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC));
    if (!sock) fail("cannot open a netfilter netlink socket", errno);
    if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0) fail("cannot bind", errno);
    const int fd = mnl_socket_get_fd(sock.get());
    int size = kSocketBuffer;
    // Best effort: FORCE passes rmem_max with CAP_NET_ADMIN, the plain one up to it.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    configure(sock.get(), group, 1, "cannot bind group " + std::to_string(group),
              [](nlmsghdr* nlh) {
                  nfulnl_msg_config_cmd cmd{NFULNL_CFG_CMD_BIND};
                  mnl_attr_put(nlh, NFULA_CFG_CMD, sizeof cmd, &cmd);
              });
    configure(sock.get(), group, 2, "cannot set the copy mode", [](nlmsghdr* nlh) {
        nfulnl_msg_config_mode mode{};
        mode.copy_range = htonl(kRemoteSnaplen);
        mode.copy_mode = NFULNL_COPY_PACKET;
        mnl_attr_put(nlh, NFULA_CFG_MODE, sizeof mode, &mode);
        mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(1));
    });
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
        fail("cannot set O_NONBLOCK", errno);
    return NflogSocket(std::move(sock), group);
}

int NflogSocket::fd() const {
    return mnl_socket_get_fd(sock_.get());
}

std::size_t NflogSocket::drain(const NflogSink& sink) {
    std::size_t reads = 0;
    for (;;) {
        const ssize_t n = ::recv(fd(), rx_.data(), rx_.size(), MSG_TRUNC);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return reads;
            if (errno == ENOBUFS) {  // the kernel dropped messages; the socket stays usable
                sink.error(NflogError::lost);
                continue;
            }
            fail("cannot read from group " + std::to_string(group_), errno);
        }
        ++reads;
        const auto got = static_cast<std::size_t>(n);
        if (got > rx_.size()) sink.error(NflogError::lost);  // cut: the rest is gone
        parse_nflog_buffer({rx_.data(), std::min(got, rx_.size())}, sink);
    }
}

}  // namespace jitd::nft
