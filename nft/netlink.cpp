#include "nft/netlink.hpp"

#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <system_error>

namespace jitd::nft {
namespace {

constexpr std::size_t kRxBuffer = 256 * 1024;        // larger than any dump message
constexpr std::size_t kMinRcvBuf = 4 * 1024 * 1024;  // room for many error reports
constexpr std::size_t kBufSlack = 64 * 1024;

std::system_error sys_error(const char* what) {
    return std::system_error(errno, std::generic_category(), what);
}

// Sets a socket buffer; as root the *FORCE variant lifts the rmem_max/wmem_max cap.
void set_buffer(int fd, int force_opt, int opt, std::size_t bytes) {
    const int v = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : static_cast<int>(bytes);
    if (setsockopt(fd, SOL_SOCKET, force_opt, &v, sizeof v) != 0)
        setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v);
}

std::size_t get_buffer(int fd, int opt) {
    int v = 0;
    socklen_t len = sizeof v;
    getsockopt(fd, SOL_SOCKET, opt, &v, &len);
    return static_cast<std::size_t>(v);
}

// The kernel's own words from an extended ack, when it sent them.
std::string ext_ack_message(const nlmsghdr* nlh) {
    if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    std::size_t offset = sizeof(nlmsgerr);
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
    const std::size_t payload = mnl_nlmsg_get_payload_len(nlh);
    if (offset >= payload) return {};
    const char* base = static_cast<const char*>(mnl_nlmsg_get_payload(nlh));
    for (std::size_t pos = offset; pos + sizeof(nlattr) <= payload;) {
        const auto* a = reinterpret_cast<const nlattr*>(base + pos);
        if (a->nla_len < sizeof(nlattr) || pos + a->nla_len > payload) break;
        if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG) {
            const char* text = static_cast<const char*>(mnl_attr_get_payload(a));
            return std::string(text, strnlen(text, mnl_attr_get_payload_len(a)));
        }
        pos += NLA_ALIGN(a->nla_len);
    }
    return {};
}

}  // namespace

Netlink::Netlink() : rx_(kRxBuffer) {
    sock_.reset(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC));
    if (!sock_) throw sys_error("netlink socket");
    if (mnl_socket_bind(sock_.get(), 0, MNL_SOCKET_AUTOPID) < 0) throw sys_error("netlink bind");
    portid_ = mnl_socket_get_portid(sock_.get());
    const int fd = mnl_socket_get_fd(sock_.get());
    int one = 1;
    // Extended acks carry the kernel's message; capped acks keep error reports small.
    mnl_socket_setsockopt(sock_.get(), NETLINK_EXT_ACK, &one, sizeof one);
    mnl_socket_setsockopt(sock_.get(), NETLINK_CAP_ACK, &one, sizeof one);
    // Every reply is queued while the kernel processes our send; a stuck read is a bug.
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, kMinRcvBuf);
    rcvbuf_ = get_buffer(fd, SO_RCVBUF);
    sndbuf_ = get_buffer(fd, SO_SNDBUF);
    seq_ = static_cast<std::uint32_t>(std::time(nullptr));
}

void Netlink::ensure_buffers(std::size_t batch_bytes) {
    const int fd = mnl_socket_get_fd(sock_.get());
    // netlink refuses a message larger than the send buffer (minus a little): size it to
    // the batch, which the kernel receives as one skb.
    if (batch_bytes + kBufSlack > sndbuf_ / 2) {
        set_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, batch_bytes + kBufSlack);
        sndbuf_ = get_buffer(fd, SO_SNDBUF);
    }
    if (batch_bytes > rcvbuf_ / 2) {
        set_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, batch_bytes);
        rcvbuf_ = get_buffer(fd, SO_RCVBUF);
    }
}

void Netlink::drain() {
    const int fd = mnl_socket_get_fd(sock_.get());
    while (true) {
        const ssize_t n = recv(fd, rx_.data(), rx_.size(), MSG_DONTWAIT);
        if (n > 0 || (n < 0 && (errno == EINTR || errno == ENOBUFS))) continue;
        return;  // empty (EAGAIN) or broken: nothing more to read either way
    }
}

BatchResult Netlink::transact(const Batch& batch) {
    BatchResult result;
    if (batch.messages() == 0) return result;  // nothing would acknowledge an empty batch
    ensure_buffers(batch.size());
    seq_ = batch.next_seq();
    if (mnl_socket_sendto(sock_.get(), batch.data(), batch.size()) < 0)
        throw sys_error("sending nf_tables batch");
    const int fd = mnl_socket_get_fd(sock_.get());
    bool done = false;
    while (!done) {
        const ssize_t n = recv(fd, rx_.data(), rx_.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                result.overflow = true;
                break;
            }
            throw sys_error("reading nf_tables acknowledgements");
        }
        int left = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(rx_.data()); mnl_nlmsg_ok(nlh, left);
             nlh = mnl_nlmsg_next(nlh, &left)) {
            if (nlh->nlmsg_type != NLMSG_ERROR) continue;
            const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
            const std::uint32_t seq = nlh->nlmsg_seq;
            const bool ours = seq == batch.begin_seq() || batch.tag(seq) != nullptr;
            if (!ours) continue;  // left over from an earlier exchange
            if (err->error != 0)
                result.failures.push_back({seq, -err->error, ext_ack_message(nlh)});
            // The last message's ack ends the batch; an error on BEGIN is about all of it.
            if (seq == batch.last_seq() || seq == batch.begin_seq()) done = true;
        }
    }
    drain();
    return result;
}

int Netlink::request(const std::function<nlmsghdr*(char*, std::uint32_t)>& build,
                     const std::function<void(const nlmsghdr*)>& on_reply) {
    std::vector<char> req(MNL_SOCKET_BUFFER_SIZE);
    const std::uint32_t seq = seq_++;
    nlmsghdr* nlh = build(req.data(), seq);
    if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) throw sys_error("netlink send");
    struct Ctx {
        const std::function<void(const nlmsghdr*)>* fn;
    } ctx{&on_reply};
    auto cb = [](const nlmsghdr* m, void* data) -> int {
        (*static_cast<Ctx*>(data)->fn)(m);
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
        ret = mnl_cb_run(rx_.data(), static_cast<std::size_t>(n), seq, portid_, cb, &ctx);
        if (ret < 0) error = errno;
    }
    if (error != 0) drain();  // an interrupted dump may still have parts queued
    return error;
}

}  // namespace jitd::nft
