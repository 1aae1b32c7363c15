#include "sessions/conntrack.hpp"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace jitd::sessions {
namespace {

constexpr std::size_t kConntrackRxBuffer = std::size_t{64}
                                           << 10;  // dumps come in messages of up to 32 KiB

nlmsghdr* ct_header(char* buf, std::uint32_t seq, std::uint8_t msg, std::uint16_t flags,
                    std::uint8_t family) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = static_cast<std::uint16_t>(NFNL_SUBSYS_CTNETLINK << 8 | msg);
    nlh->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
    nlh->nlmsg_seq = seq;
    auto* g = static_cast<nfgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nfgenmsg)));
    g->nfgen_family = family;
    g->version = NFNETLINK_V0;
    g->res_id = 0;
    return nlh;
}

// The nested attributes of `attr`, indexed by type (up to `max`).
std::vector<const nlattr*> nested(const nlattr* attr, std::uint16_t max) {
    std::vector<const nlattr*> tb(max + 1u, nullptr);
    struct Ctx {
        std::vector<const nlattr*>* tb;
        std::uint16_t max;
    } ctx{&tb, max};
    mnl_attr_parse_nested(
        attr,
        [](const nlattr* a, void* data) -> int {
            auto& c = *static_cast<Ctx*>(data);
            const std::uint16_t type = mnl_attr_get_type(a);
            if (type <= c.max) (*c.tb)[type] = a;
            return MNL_CB_OK;
        },
        &ctx);
    return tb;
}

bool read_addr(const nlattr* a, std::size_t len, std::array<std::uint8_t, 16>& out) {
    if (a == nullptr || mnl_attr_get_payload_len(a) != len) return false;
    std::memcpy(out.data(), mnl_attr_get_payload(a), len);
    return true;
}

std::uint16_t be16(const nlattr* a) {
    return a != nullptr && mnl_attr_get_payload_len(a) == 2 ? ntohs(mnl_attr_get_u16(a)) : 0;
}

// CTA_TUPLE_ORIG into `e`; false for what is not TCP/UDP over IPv4/IPv6.
bool read_tuple(const nlattr* tuple, CtEntry& e) {
    auto t = nested(tuple, CTA_TUPLE_MAX);
    if (t[CTA_TUPLE_IP] == nullptr || t[CTA_TUPLE_PROTO] == nullptr) return false;
    auto ip = nested(t[CTA_TUPLE_IP], CTA_IP_MAX);
    auto proto = nested(t[CTA_TUPLE_PROTO], CTA_PROTO_MAX);
    if (read_addr(ip[CTA_IP_V4_SRC], 4, e.orig.remote) &&
        read_addr(ip[CTA_IP_V4_DST], 4, e.orig.local)) {
        e.orig.family = nft::Prefix::Family::ipv4;
    } else if (read_addr(ip[CTA_IP_V6_SRC], 16, e.orig.remote) &&
               read_addr(ip[CTA_IP_V6_DST], 16, e.orig.local)) {
        e.orig.family = nft::Prefix::Family::ipv6;
    } else {
        return false;
    }
    if (proto[CTA_PROTO_NUM] == nullptr) return false;
    const std::uint8_t num = mnl_attr_get_u8(proto[CTA_PROTO_NUM]);
    if (num != IPPROTO_TCP && num != IPPROTO_UDP) return false;
    e.proto = static_cast<nft::L4>(num);
    e.orig.remote_port = be16(proto[CTA_PROTO_SRC_PORT]);
    e.orig.local_port = be16(proto[CTA_PROTO_DST_PORT]);
    return true;
}

void put_tuple(nlmsghdr* nlh, const CtEntry& e) {
    const bool v4 = e.orig.family == nft::Prefix::Family::ipv4;
    const std::size_t n = v4 ? 4 : 16;
    nlattr* tuple = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
    nlattr* ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
    mnl_attr_put(nlh, v4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, n, e.orig.remote.data());
    mnl_attr_put(nlh, v4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, n, e.orig.local.data());
    mnl_attr_nest_end(nlh, ip);
    nlattr* proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
    mnl_attr_put_u8(nlh, CTA_PROTO_NUM, static_cast<std::uint8_t>(e.proto));
    mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(e.orig.remote_port));
    mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(e.orig.local_port));
    mnl_attr_nest_end(nlh, proto);
    mnl_attr_nest_end(nlh, tuple);
}

}  // namespace

Conntrack::Conntrack() : nl_(NETLINK_NETFILTER, kConntrackRxBuffer) {}

std::vector<CtEntry> Conntrack::list() {
    std::vector<CtEntry> out;
    const int err = nl_.request(
        [](char* buf, std::uint32_t seq) {
            return ct_header(buf, seq, IPCTNL_MSG_CT_GET, NLM_F_DUMP, AF_UNSPEC);
        },
        [&](const nlmsghdr* nlh) {
            if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK) return;
            std::vector<const nlattr*> tb(CTA_MAX + 1, nullptr);
            mnl_attr_parse(
                nlh, sizeof(nfgenmsg),
                [](const nlattr* a, void* data) -> int {
                    auto& t = *static_cast<std::vector<const nlattr*>*>(data);
                    if (mnl_attr_get_type(a) <= CTA_MAX) t[mnl_attr_get_type(a)] = a;
                    return MNL_CB_OK;
                },
                &tb);
            CtEntry e;
            if (tb[CTA_TUPLE_ORIG] == nullptr || !read_tuple(tb[CTA_TUPLE_ORIG], e)) return;
            if (tb[CTA_ID] != nullptr) e.id = ntohl(mnl_attr_get_u32(tb[CTA_ID]));
            if (tb[CTA_ZONE] != nullptr) e.zone = ntohs(mnl_attr_get_u16(tb[CTA_ZONE]));
            out.push_back(e);
        });
    // ENOENT/EOPNOTSUPP: no conntrack in this kernel or namespace, so nothing tracked.
    if (err != 0 && err != ENOENT && err != EOPNOTSUPP)
        throw std::system_error(err, std::generic_category(), "conntrack dump");
    return out;
}

int Conntrack::remove(const CtEntry& e) {
    const std::uint8_t family = e.orig.family == nft::Prefix::Family::ipv4 ? AF_INET : AF_INET6;
    return nl_.request([&](char* buf, std::uint32_t seq) {
        nlmsghdr* nlh = ct_header(buf, seq, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, family);
        put_tuple(nlh, e);
        if (e.id != 0) mnl_attr_put_u32(nlh, CTA_ID, htonl(e.id));
        if (e.zone) mnl_attr_put_u16(nlh, CTA_ZONE, htons(*e.zone));
        return nlh;
    });
}

}  // namespace jitd::sessions
