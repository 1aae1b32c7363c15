// The input chain's rules as bytecode, one for each line of render_ruleset's chain, built as
// `nft` compiles that text (so `nft list` prints them back the same way).
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

#include <algorithm>
#include <array>
#include <string>

#include "nft/expr_builder.hpp"
#include "nft/layout.hpp"
#include "nft/operations.hpp"

namespace jitd::nft::ops {
namespace {

constexpr std::uint32_t kIpv4SaddrOffset = 12, kIpv6SaddrOffset = 8, kDportOffset = 2;
constexpr std::uint32_t kIpv4DaddrOffset = 16, kIpv6DaddrOffset = 24, kSportOffset = 0;
constexpr std::uint32_t kTcpFlagsOffset = 13;  // the byte with CWR ECE URG ACK PSH RST SYN FIN
constexpr std::uint8_t kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpAck = 0x10;

RuleBuilder rule() {
    return RuleBuilder(kTableName, layout::kChain);
}

// `meta nfproto ipv4|ipv6`: the guard nft adds before an ip/ip6 match in an inet table.
void nfproto(RuleBuilder& r, std::uint8_t family) {
    r.meta(NFT_META_NFPROTO, NFT_REG_1).cmp(NFT_REG_1, NFT_CMP_EQ, &family, 1);
}

// `ip[6] saddr . meta l4proto . th dport @set accept`: each component in its own 32-bit
// register(s), so the key is the concatenation padded to 4 bytes per component.
handles::Rule grant_rule(bool v4, std::string_view set, std::uint32_t id) {
    RuleBuilder r = rule();
    nfproto(r, v4 ? NFPROTO_IPV4 : NFPROTO_IPV6);
    const std::uint32_t addr_regs = v4 ? 1 : 4;
    r.payload(NFT_PAYLOAD_NETWORK_HEADER, v4 ? kIpv4SaddrOffset : kIpv6SaddrOffset, v4 ? 4 : 16,
              NFT_REG32_00)
        .meta(NFT_META_L4PROTO, NFT_REG32_00 + addr_regs)
        .payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDportOffset, 2, NFT_REG32_00 + addr_regs + 1)
        .lookup(NFT_REG32_00, set, id, false)
        .verdict(NF_ACCEPT);
    return r.take();
}

handles::Rule allow_rule(bool v4, std::string_view set, std::uint32_t id) {
    RuleBuilder r = rule();
    nfproto(r, v4 ? NFPROTO_IPV4 : NFPROTO_IPV6);
    r.payload(NFT_PAYLOAD_NETWORK_HEADER, v4 ? kIpv4SaddrOffset : kIpv6SaddrOffset, v4 ? 4 : 16,
              NFT_REG_1)
        .lookup(NFT_REG_1, set, id, false)
        .verdict(NF_ACCEPT);
    return r.take();
}

// `ct state new tcp flags ack / fin,syn,rst,ack ip[6] saddr . tcp sport . ip[6] daddr . tcp dport
// @pickup[46] accept`. A TCP session that was open before the first install and that conntrack
// never saw (nothing in the namespace used it) is picked up mid-stream by loose tracking
// (nf_conntrack_tcp_loose=1): its next segment is "new", and dropping it would discard the
// entry too, so the session would hang. Only a bare ACK (no SYN, FIN or RST) can be such a
// pickup, and only the 4-tuples of the sessions found at the first install are accepted: a bare
// ACK from anyone else could be a SYN-cookie guess (Linux accepts one as a connection while the
// listener is in cookie mode), so it meets `counter drop`. Strict tracking (tcp_loose=0) marks
// these segments invalid instead; they stay dropped.
handles::Rule pickup_rule(bool v4, std::string_view set, std::uint32_t id) {
    const std::uint8_t tcp = IPPROTO_TCP;
    const std::uint32_t new_bit = NF_CT_STATE_BIT(IP_CT_NEW), zero = 0;
    const std::uint8_t flag_mask = kTcpFin | kTcpSyn | kTcpRst | kTcpAck, ack = kTcpAck;
    const std::uint8_t no_xor = 0;
    const std::uint32_t addr_len = v4 ? 4 : 16, addr_regs = addr_len / 4;
    RuleBuilder r = rule();
    r.ct(NFT_CT_STATE, NFT_REG_1)
        .bitwise(NFT_REG_1, sizeof new_bit, &new_bit, &zero)
        .cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, sizeof zero)
        .meta(NFT_META_L4PROTO, NFT_REG_1)  // the guard that makes the tcp header match valid
        .cmp(NFT_REG_1, NFT_CMP_EQ, &tcp, sizeof tcp)
        .payload(NFT_PAYLOAD_TRANSPORT_HEADER, kTcpFlagsOffset, 1, NFT_REG_1)
        .bitwise(NFT_REG_1, 1, &flag_mask, &no_xor)
        .cmp(NFT_REG_1, NFT_CMP_EQ, &ack, sizeof ack);
    nfproto(r, v4 ? NFPROTO_IPV4 : NFPROTO_IPV6);
    r.payload(NFT_PAYLOAD_NETWORK_HEADER, v4 ? kIpv4SaddrOffset : kIpv6SaddrOffset, addr_len,
              NFT_REG32_00)
        .payload(NFT_PAYLOAD_TRANSPORT_HEADER, kSportOffset, 2, NFT_REG32_00 + addr_regs)
        .payload(NFT_PAYLOAD_NETWORK_HEADER, v4 ? kIpv4DaddrOffset : kIpv6DaddrOffset, addr_len,
                 NFT_REG32_00 + addr_regs + 1)
        .payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDportOffset, 2, NFT_REG32_00 + 2 * addr_regs + 1)
        .lookup(NFT_REG32_00, set, id, false)
        .verdict(NF_ACCEPT);
    return r.take();
}

// `udp dport P` as nft compiles it in an inet table.
RuleBuilder udp_dport(std::uint16_t port) {
    const std::uint8_t udp = IPPROTO_UDP;
    const std::array<std::uint8_t, 2> be{static_cast<std::uint8_t>(port >> 8),
                                         static_cast<std::uint8_t>(port & 0xff)};
    RuleBuilder r = rule();
    r.meta(NFT_META_L4PROTO, NFT_REG_1)
        .cmp(NFT_REG_1, NFT_CMP_EQ, &udp, sizeof udp)
        .payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDportOffset, 2, NFT_REG_1)
        .cmp(NFT_REG_1, NFT_CMP_EQ, be.data(), be.size());
    return r;
}

}  // namespace

std::vector<handles::Rule> remote_rules(const TableSpec& spec,
                                        const std::function<std::uint32_t(std::string_view)>& id) {
    std::vector<handles::Rule> out;
    if (!spec.remote_port) return out;
    const std::uint16_t port = *spec.remote_port;
    // `udp dport P update @remote_rate4 { ip saddr limit rate over R/second burst B packets }
    // counter drop`, and for IPv6 the same with `ip6 saddr & ffff:ffff:ffff:ffff::` (one meter
    // per /64: one host holds a whole /64). A source over its rate is dropped here, before any
    // copy; with the set full the dynset does not match and the datagram goes on (model.hpp).
    for (const bool v4 : {true, false}) {
        const std::string_view set = v4 ? layout::kRemoteRate4 : layout::kRemoteRate6;
        RuleBuilder meter = udp_dport(port);
        nfproto(meter, v4 ? NFPROTO_IPV4 : NFPROTO_IPV6);
        meter.payload(NFT_PAYLOAD_NETWORK_HEADER, v4 ? kIpv4SaddrOffset : kIpv6SaddrOffset,
                      v4 ? 4 : 16, NFT_REG_1);
        if (!v4) {
            std::array<std::uint8_t, 16> mask{}, zero{};
            std::fill(mask.begin(), mask.begin() + 8, 0xff);
            meter.bitwise(NFT_REG_1, 16, mask.data(), zero.data());
        }
        meter.meter_over(NFT_REG_1, set, id(set), kRemoteSourceRate, kRemoteSourceBurst)
            .counter()
            .verdict(NF_DROP);
        out.push_back(meter.take());
    }
    // `udp dport P limit rate R/second burst B packets log group G snaplen S queue-threshold 1`:
    // a copy to jitd, within the global rate; then `udp dport P drop`, so the port looks
    // filtered and nothing listens on it. An inet table's udp match covers IPv4 and IPv6.
    RuleBuilder intake = udp_dport(port);
    intake.limit(kRemoteRatePerSecond, kRemoteBurst)
        .log_group(kRemoteNflogGroup, kRemoteSnaplen, 1);
    out.push_back(intake.take());
    out.push_back(udp_dport(port).verdict(NF_DROP).take());
    return out;
}

std::vector<handles::Rule> chain_rules(const std::function<std::uint32_t(std::string_view)>& id) {
    std::vector<handles::Rule> out;
    {  // iif "lo" accept: the loopback device is ifindex 1 in every namespace.
        const std::uint32_t lo = 1;
        out.push_back(rule()
                          .meta(NFT_META_IIF, NFT_REG_1)
                          .cmp(NFT_REG_1, NFT_CMP_EQ, &lo, sizeof lo)
                          .verdict(NF_ACCEPT)
                          .take());
    }
    {  // ct state established,related accept
        const std::uint32_t mask =
            NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED);
        const std::uint32_t zero = 0;
        out.push_back(rule()
                          .ct(NFT_CT_STATE, NFT_REG_1)
                          .bitwise(NFT_REG_1, sizeof mask, &mask, &zero)
                          .cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, sizeof zero)
                          .verdict(NF_ACCEPT)
                          .take());
    }
    // meta l4proto . th dport != @protected accept: unprotected ports are not ours to judge.
    out.push_back(rule()
                      .meta(NFT_META_L4PROTO, NFT_REG32_00)
                      .payload(NFT_PAYLOAD_TRANSPORT_HEADER, kDportOffset, 2, NFT_REG32_01)
                      .lookup(NFT_REG32_00, layout::kProtected, id(layout::kProtected), true)
                      .verdict(NF_ACCEPT)
                      .take());
    out.push_back(allow_rule(true, layout::kAllow4, id(layout::kAllow4)));
    out.push_back(allow_rule(false, layout::kAllow6, id(layout::kAllow6)));
    out.push_back(grant_rule(true, layout::kGrant4Host, id(layout::kGrant4Host)));
    out.push_back(grant_rule(true, layout::kGrant4Net, id(layout::kGrant4Net)));
    out.push_back(grant_rule(false, layout::kGrant6Host, id(layout::kGrant6Host)));
    out.push_back(grant_rule(false, layout::kGrant6Net, id(layout::kGrant6Net)));
    out.push_back(pickup_rule(true, layout::kPickup4, id(layout::kPickup4)));
    out.push_back(pickup_rule(false, layout::kPickup6, id(layout::kPickup6)));
    out.push_back(rule().counter().verdict(NF_DROP).take());  // counter drop
    return out;
}

}  // namespace jitd::nft::ops
