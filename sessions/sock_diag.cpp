#include "sessions/sock_diag.hpp"

#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace jitd::sessions {
namespace {

constexpr std::size_t kSockDiagRxBuffer = std::size_t{64}
                                          << 10;  // dumps come in messages of up to 32 KiB

// include/net/tcp_states.h
enum : std::uint32_t {
    kSynRecv = 3,
    kFinWait1 = 4,
    kFinWait2 = 5,
    kCloseWait = 8,
    kLastAck = 9,
    kClosing = 11,
};

bool v4_mapped(const std::uint32_t a[4]) {
    return a[0] == 0 && a[1] == 0 && a[2] == htonl(0xffff);
}

nft::Tuple tuple_of(const inet_diag_msg& m) {
    nft::Tuple t;
    const inet_diag_sockid& id = m.id;
    const bool v4 =
        m.idiag_family == AF_INET || (v4_mapped(id.idiag_src) && v4_mapped(id.idiag_dst));
    t.family = v4 ? nft::Prefix::Family::ipv4 : nft::Prefix::Family::ipv6;
    auto copy = [&](const std::uint32_t a[4], std::array<std::uint8_t, 16>& out) {
        if (m.idiag_family == AF_INET)
            std::memcpy(out.data(), &a[0], 4);
        else if (v4)
            std::memcpy(out.data(), &a[3], 4);
        else
            std::memcpy(out.data(), a, 16);
    };
    copy(id.idiag_dst, t.remote);
    copy(id.idiag_src, t.local);
    t.remote_port = ntohs(id.idiag_dport);
    t.local_port = ntohs(id.idiag_sport);
    return t;
}

nlmsghdr* diag_request(char* buf, std::uint32_t seq, std::uint16_t type, std::uint16_t flags,
                       const inet_diag_req_v2& req) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    nlh->nlmsg_seq = seq;
    void* body = mnl_nlmsg_put_extra_header(nlh, sizeof req);
    std::memcpy(body, &req, sizeof req);
    return nlh;
}

}  // namespace

std::uint32_t connected_tcp_states() {
    return state_bit(kTcpEstablished) | state_bit(kSynRecv) | state_bit(kFinWait1) |
           state_bit(kFinWait2) | state_bit(kCloseWait) | state_bit(kLastAck) | state_bit(kClosing);
}

SockDiag::SockDiag() : nl_(NETLINK_SOCK_DIAG, kSockDiagRxBuffer) {}

std::vector<DiagSocket> SockDiag::list(nft::L4 proto, std::uint32_t states) {
    std::vector<DiagSocket> out;
    for (int family : {AF_INET, AF_INET6}) {
        inet_diag_req_v2 req{};
        req.sdiag_family = static_cast<std::uint8_t>(family);
        req.sdiag_protocol = static_cast<std::uint8_t>(proto);
        req.idiag_states = states;
        const int err = nl_.request(
            [&](char* buf, std::uint32_t seq) {
                return diag_request(buf, seq, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, req);
            },
            [&](const nlmsghdr* nlh) {
                if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                    mnl_nlmsg_get_payload_len(nlh) < sizeof(inet_diag_msg))
                    return;
                const auto* m = static_cast<const inet_diag_msg*>(mnl_nlmsg_get_payload(nlh));
                DiagSocket s;
                s.proto = proto;
                s.tuple = tuple_of(*m);
                s.state = m->idiag_state;
                s.diag_family = m->idiag_family;
                s.id = m->id;
                out.push_back(s);
            });
        // No IPv6 (or no UDP diag module): nothing of that kind to list.
        if (err != 0 && err != ENOENT && err != EAFNOSUPPORT)
            throw std::system_error(err, std::generic_category(), "sock_diag dump");
    }
    return out;
}

int SockDiag::destroy(const DiagSocket& s) {
    inet_diag_req_v2 req{};
    req.sdiag_family = static_cast<std::uint8_t>(s.diag_family);
    req.sdiag_protocol = static_cast<std::uint8_t>(s.proto);
    req.idiag_states = ~0u;
    req.id = s.id;  // the cookie makes it this very socket, not a newer one on the same ports
    return nl_.request([&](char* buf, std::uint32_t seq) {
        return diag_request(buf, seq, SOCK_DESTROY, NLM_F_ACK, req);
    });
}

bool SockDiag::can_destroy() {
    DiagSocket none;
    none.diag_family = AF_INET;
    none.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    none.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    none.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
    none.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
    none.id.idiag_sport = 0;  // port 0 never holds a connection
    none.id.idiag_dport = 0;
    return destroy(none) == ENOENT;
}

}  // namespace jitd::sessions
