#include "nft/netlink.hpp"

#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace jitd::nft {
namespace {

constexpr std::size_t kNetlinkRxBuffer = std::size_t{256} << 10;  // larger than any dump message
constexpr std::size_t kMinRcvBuf = std::size_t{4} << 20;          // room for many error reports
constexpr std::size_t kBufSlack = std::size_t{64} << 10;

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

// Records the errors among the acknowledgements in `buf`; true once the one that ends the
// batch has come.
bool read_acks(const Batch& batch, const char* buf, int len, BatchResult& result) {
    bool done = false;
    for (const auto* nlh = reinterpret_cast<const nlmsghdr*>(buf); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
        if (nlh->nlmsg_type != NLMSG_ERROR) continue;
        const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
        const std::uint32_t seq = nlh->nlmsg_seq;
        const bool ours = seq == batch.begin_seq() || batch.tag(seq) != nullptr;
        if (!ours) continue;  // left over from an earlier exchange
        if (err->error != 0) result.failures.push_back({seq, -err->error, ext_ack_message(nlh)});
        // The last message's ack ends the batch; an error on BEGIN is about all of it.
        if (seq == batch.last_seq() || seq == batch.begin_seq()) done = true;
    }
    return done;
}

}  // namespace

Netlink::Netlink() : Netlink(open_socket()) {}

handles::Socket Netlink::open_socket() {
    return NetlinkSocket::open_bound(NETLINK_NETFILTER);
}

Netlink::Netlink(handles::Socket sock) : sock_(std::move(sock), kNetlinkRxBuffer) {
    int one = 1;
    // Extended acks carry the kernel's message; capped acks keep error reports small.
    mnl_socket_setsockopt(sock_.get(), NETLINK_EXT_ACK, &one, sizeof one);
    mnl_socket_setsockopt(sock_.get(), NETLINK_CAP_ACK, &one, sizeof one);
    set_buffer(sock_.fd(), SO_RCVBUFFORCE, SO_RCVBUF, kMinRcvBuf);
    rcvbuf_ = get_buffer(sock_.fd(), SO_RCVBUF);
    sndbuf_ = get_buffer(sock_.fd(), SO_SNDBUF);
}

void Netlink::ensure_buffers(std::size_t batch_bytes) {
    const int fd = sock_.fd();
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

BatchResult Netlink::transact(const Batch& batch) {
    BatchResult result;
    if (batch.messages() == 0) return result;  // nothing would acknowledge an empty batch
    ensure_buffers(batch.size());
    sock_.set_next_seq(batch.next_seq());
    if (mnl_socket_sendto(sock_.get(), batch.data(), batch.size()) < 0)
        throw sys_error("sending nf_tables batch");
    collect_acks(batch, result);
    sock_.drain();
    return result;
}

void Netlink::collect_acks(const Batch& batch, BatchResult& result) {
    std::vector<char>& rx = sock_.rx();
    bool done = false;
    while (!done) {
        const ssize_t n = recv(sock_.fd(), rx.data(), rx.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                result.overflow = true;
                return;
            }
            throw sys_error("reading nf_tables acknowledgements");
        }
        done = read_acks(batch, rx.data(), static_cast<int>(n), result);
    }
}

}  // namespace jitd::nft
