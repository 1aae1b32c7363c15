// The input chain's rules as bytecode, one for each line of render_ruleset's chain, built as
// `nft` compiles that text (so `nft list` prints them back the same way).
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>

#include <array>

#include "nft/expr_builder.hpp"
#include "nft/layout.hpp"
#include "nft/operations.hpp"

namespace jitd::nft::ops {
namespace {

constexpr std::uint32_t kIpv4SaddrOffset = 12, kIpv6SaddrOffset = 8, kDportOffset = 2;

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

}  // namespace

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
    out.push_back(rule().counter().verdict(NF_DROP).take());  // counter drop
    return out;
}

}  // namespace jitd::nft::ops
