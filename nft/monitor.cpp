#include "nft/monitor.hpp"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <endian.h>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "nft/keys.hpp"
#include "nft/layout.hpp"
#include "nft/session.hpp"

namespace jitd::nft {
namespace {

constexpr std::size_t kMonitorRxBuffer = std::size_t{256} << 10;
// Room for the events of a large restore or flush before the kernel drops any (ENOBUFS): one
// event per element, ~150 bytes each, packed into shared skbs; 100k grants need ~15 MiB. The
// memory is used only while events wait. An overflow is still safe (a resync), only slower.
constexpr int kRcvBuf = 32 * 1024 * 1024;

using Attrs = std::vector<const nlattr*>;

// The attributes of `nlh` after the nfgenmsg header, indexed by type (bounds-checked by libmnl).
Attrs attrs_of(const nlmsghdr* nlh, std::uint16_t max) {
    Attrs tb(max + 1, nullptr);
    struct Ctx {
        Attrs* tb;
    } ctx{&tb};
    mnl_attr_parse(
        nlh, sizeof(nfgenmsg),
        [](const nlattr* a, void* data) -> int {
            auto& t = *static_cast<Ctx*>(data)->tb;
            const std::uint16_t type = mnl_attr_get_type(a);
            if (type < t.size()) t[type] = a;
            return MNL_CB_OK;
        },
        &ctx);
    return tb;
}

Attrs nested_of(const nlattr* nest, std::uint16_t max) {
    Attrs tb(max + 1, nullptr);
    struct Ctx {
        Attrs* tb;
    } ctx{&tb};
    mnl_attr_parse_nested(
        nest,
        [](const nlattr* a, void* data) -> int {
            auto& t = *static_cast<Ctx*>(data)->tb;
            const std::uint16_t type = mnl_attr_get_type(a);
            if (type < t.size()) t[type] = a;
            return MNL_CB_OK;
        },
        &ctx);
    return tb;
}

std::string str_of(const nlattr* a) {
    if (a == nullptr) return {};
    const char* p = static_cast<const char*>(mnl_attr_get_payload(a));
    return std::string(p, strnlen(p, mnl_attr_get_payload_len(a)));
}

std::uint32_t u32_of(const nlattr* a) {
    if (a == nullptr || mnl_attr_get_payload_len(a) < 4) return 0;
    std::uint32_t v = 0;
    std::memcpy(&v, mnl_attr_get_payload(a), 4);
    return ntohl(v);
}

std::uint64_t u64_of(const nlattr* a) {
    if (a == nullptr || mnl_attr_get_payload_len(a) < 8) return 0;
    std::uint64_t v = 0;
    std::memcpy(&v, mnl_attr_get_payload(a), 8);
    return be64toh(v);
}

// NFTA_SET_ELEM_KEY{,_END} -> NFTA_DATA_VALUE bytes.
keys::Bytes data_value(const nlattr* a) {
    if (a == nullptr || mnl_attr_validate(a, MNL_TYPE_NESTED) < 0) return {};
    const Attrs d = nested_of(a, NFTA_DATA_MAX);
    if (d[NFTA_DATA_VALUE] == nullptr) return {};
    const auto* p = static_cast<const std::uint8_t*>(mnl_attr_get_payload(d[NFTA_DATA_VALUE]));
    return keys::Bytes(p, p + mnl_attr_get_payload_len(d[NFTA_DATA_VALUE]));
}

const layout::SetDef* grant_set(const std::string& name) {
    for (const auto& s : layout::sets())
        if (s.role == layout::SetRole::grant && s.name == name) return &s;
    return nullptr;
}

void parse_elements(const nlattr* list, const std::string& set, TableEvent& ev) {
    if (list == nullptr || mnl_attr_validate(list, MNL_TYPE_NESTED) < 0) return;
    const layout::SetDef* def = grant_set(set);
    const char* stop =
        static_cast<const char*>(mnl_attr_get_payload(list)) + mnl_attr_get_payload_len(list);
    for (auto* elem = static_cast<const nlattr*>(mnl_attr_get_payload(list));
         mnl_attr_ok(elem, static_cast<int>(stop - reinterpret_cast<const char*>(elem)));
         elem = mnl_attr_next(elem)) {
        if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM ||
            mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0)
            continue;
        const Attrs e = nested_of(elem, NFTA_SET_ELEM_MAX);
        const std::uint32_t flags = u32_of(e[NFTA_SET_ELEM_FLAGS]);
        if (flags & NFT_SET_ELEM_INTERVAL_END) continue;  // the closing half of an rbtree pair
        ++ev.elements;
        if (def == nullptr) continue;
        const keys::Bytes key = data_value(e[NFTA_SET_ELEM_KEY]);
        const keys::Bytes end = data_value(e[NFTA_SET_ELEM_KEY_END]);
        const auto family =
            def->fields.front().len == 4 ? Prefix::Family::ipv4 : Prefix::Family::ipv6;
        if (auto k = keys::decode_grant(family, key, def->interval ? &end : nullptr))
            ev.grant_keys.push_back(*k);
    }
}

// The event for one message, or nullopt when it is not about table inet jitd.
std::optional<TableEvent> table_event(const nlmsghdr* nlh, int msg) {
    const auto* nfg = static_cast<const nfgenmsg*>(mnl_nlmsg_get_payload(nlh));
    if (nfg->nfgen_family != NFPROTO_INET) return std::nullopt;
    TableEvent ev;
    ev.portid = nlh->nlmsg_pid;
    std::string table;
    switch (msg) {
        case NFT_MSG_NEWTABLE:
        case NFT_MSG_DELTABLE: {
            const Attrs a = attrs_of(nlh, NFTA_TABLE_MAX);
            ev.object = TableEvent::Object::table;
            ev.added = msg == NFT_MSG_NEWTABLE;
            table = str_of(a[NFTA_TABLE_NAME]);
            break;
        }
        case NFT_MSG_NEWCHAIN:
        case NFT_MSG_DELCHAIN: {
            const Attrs a = attrs_of(nlh, NFTA_CHAIN_MAX);
            ev.object = TableEvent::Object::chain;
            ev.added = msg == NFT_MSG_NEWCHAIN;
            table = str_of(a[NFTA_CHAIN_TABLE]);
            ev.name = str_of(a[NFTA_CHAIN_NAME]);
            break;
        }
        case NFT_MSG_NEWRULE:
        case NFT_MSG_DELRULE: {
            const Attrs a = attrs_of(nlh, NFTA_RULE_MAX);
            ev.object = TableEvent::Object::rule;
            ev.added = msg == NFT_MSG_NEWRULE;
            table = str_of(a[NFTA_RULE_TABLE]);
            ev.name = str_of(a[NFTA_RULE_CHAIN]);
            ev.handle = u64_of(a[NFTA_RULE_HANDLE]);
            break;
        }
        case NFT_MSG_NEWSET:
        case NFT_MSG_DELSET: {
            const Attrs a = attrs_of(nlh, NFTA_SET_MAX);
            ev.object = TableEvent::Object::set;
            ev.added = msg == NFT_MSG_NEWSET;
            table = str_of(a[NFTA_SET_TABLE]);
            ev.name = str_of(a[NFTA_SET_NAME]);
            break;
        }
        case NFT_MSG_NEWSETELEM:
        case NFT_MSG_DELSETELEM: {
            const Attrs a = attrs_of(nlh, NFTA_SET_ELEM_LIST_MAX);
            ev.object = TableEvent::Object::element;
            ev.added = msg == NFT_MSG_NEWSETELEM;
            table = str_of(a[NFTA_SET_ELEM_LIST_TABLE]);
            ev.name = str_of(a[NFTA_SET_ELEM_LIST_SET]);
            if (table == kTableName) parse_elements(a[NFTA_SET_ELEM_LIST_ELEMENTS], ev.name, ev);
            break;
        }
        default:
            return std::nullopt;
    }
    if (table != kTableName) return std::nullopt;
    return ev;
}

}  // namespace

std::string TableEvent::str() const {
    std::string s = added ? "added " : "deleted ";
    switch (object) {
        case Object::table:
            return s + "table inet jitd";
        case Object::chain:
            return s + "chain " + name;
        case Object::rule:
            return s + "rule (handle " + std::to_string(handle) + ") of chain " + name;
        case Object::set:
            return s + "set " + name;
        case Object::element:
            break;
    }
    s += std::to_string(elements) + (elements == 1 ? " element " : " elements ");
    s += (added ? "to set " : "of set ") + name;
    if (!grant_keys.empty()) {
        s += ":";
        for (std::size_t i = 0; i < grant_keys.size() && i < 4; ++i)
            s += (i ? ", " : " ") + grant_keys[i].str();
        if (grant_keys.size() > 4) s += ", ...";
    }
    return s;
}

void parse_events(const void* buf, std::size_t len, EventRead& out) {
    int left = len > INT32_MAX ? INT32_MAX : static_cast<int>(len);
    auto* nlh = static_cast<const nlmsghdr*>(buf);
    auto current = [&out]() -> Burst& {
        if (out.bursts.empty() || out.bursts.back().generation) out.bursts.emplace_back();
        return out.bursts.back();
    };
    // mnl_nlmsg_ok() compares nlmsg_len as an int: a length over 2^31 passes and the walk never
    // ends (found by fuzz_events). Check it as unsigned first.
    auto fits = [&](const nlmsghdr* m) {
        return left >= static_cast<int>(sizeof(nlmsghdr)) &&
               m->nlmsg_len <= static_cast<std::uint32_t>(left) && mnl_nlmsg_ok(m, left);
    };
    for (; fits(nlh); nlh = mnl_nlmsg_next(nlh, &left)) {
        if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES) continue;
        if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nfgenmsg)) continue;
        const int msg = NFNL_MSG_TYPE(nlh->nlmsg_type);
        if (msg == NFT_MSG_NEWGEN) {
            const Attrs a = attrs_of(nlh, NFTA_GEN_MAX);
            Generation g;
            g.id = u32_of(a[NFTA_GEN_ID]);
            g.pid = u32_of(a[NFTA_GEN_PROC_PID]);
            g.comm = str_of(a[NFTA_GEN_PROC_NAME]);
            g.portid = nlh->nlmsg_pid;
            Burst& b = current();
            if (b.events.empty())
                out.bursts.pop_back();  // a transaction that did not touch our table
            else
                b.generation = std::move(g);
            continue;
        }
        if (auto ev = table_event(nlh, msg)) current().events.push_back(std::move(*ev));
    }
}

Monitor Monitor::open() {
    auto fail = [](const char* what) {
        return Error(Error::Kind::io, errno,
                     std::string("nf_tables events: ") + what + ": " + std::strerror(errno));
    };
    Monitor m;
    m.sock_.reset(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!m.sock_) throw fail("socket");
    if (mnl_socket_bind(m.sock_.get(), 0, MNL_SOCKET_AUTOPID) < 0) throw fail("bind");
    int group = NFNLGRP_NFTABLES;
    if (mnl_socket_setsockopt(m.sock_.get(), NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0)
        throw fail("joining NFNLGRP_NFTABLES");
    const int fd = mnl_socket_get_fd(m.sock_.get());
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kRcvBuf, sizeof kRcvBuf) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kRcvBuf, sizeof kRcvBuf);
    m.rx_.resize(kMonitorRxBuffer);
    return m;
}

int Monitor::fd() const {
    return mnl_socket_get_fd(sock_.get());
}

namespace {

// The kernel sends a transaction's events and its NEWGEN as separate messages, so a read can
// end between them (seen in slow VMs): the burst would lack who committed it and its later
// events (a flushed ruleset seen as "deleted 10 rules" by "unknown"). Such a burst from a
// process (portid != 0; the kernel's own events come without NEWGEN) is completed by waiting
// a little for the rest.
constexpr int kGenerationWaitMs = 250;

bool awaits_generation(const EventRead& r) {
    if (r.bursts.empty() || r.bursts.back().generation) return false;
    for (const auto& e : r.bursts.back().events)
        if (e.portid != 0) return true;
    return false;
}

}  // namespace

EventRead Monitor::read() {
    EventRead out;
    int waited = 0;
    while (true) {
        const ssize_t n = recv(fd(), rx_.data(), rx_.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {  // events were dropped; the socket still works
                out.overflow = true;
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!awaits_generation(out) || waited >= kGenerationWaitMs) break;
                pollfd p{fd(), POLLIN, 0};
                const int step = 10;
                if (::poll(&p, 1, step) <= 0) waited += step;
                continue;
            }
            throw Error(Error::Kind::io, errno,
                        std::string("reading nf_tables events: ") + std::strerror(errno));
        }
        if (n == 0) break;
        parse_events(rx_.data(), static_cast<std::size_t>(n), out);
    }
    return out;
}

}  // namespace jitd::nft
