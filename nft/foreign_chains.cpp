// What else is in the ruleset that matters to jitd: other tables' input base chains whose
// policy is drop (a packet jitd accepts is still dropped there), and the size of jitd's chain.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "nft/layout.hpp"
#include "nft/operations.hpp"

namespace jitd::nft::ops {
namespace {

std::string_view family_name(std::uint32_t f) {
    switch (f) {
        case NFPROTO_IPV4:
            return "ip";
        case NFPROTO_IPV6:
            return "ip6";
        case NFPROTO_INET:
            return "inet";
    }
    return {};
}

}  // namespace

std::vector<std::string> foreign_input_drop_chains(Netlink& nl) {
    std::vector<std::string> out;
    for (int attempt = 0; attempt < 5; ++attempt) {
        out.clear();
        const int err = nl.request(
            [](char* buf, std::uint32_t seq) {
                return nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP,
                                             seq);
            },
            [&](const nlmsghdr* nlh) {
                auto c = handles::make_chain();
                if (nftnl_chain_nlmsg_parse(nlh, c.get()) < 0) return;
                const std::uint32_t family = nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_FAMILY);
                const auto fam = family_name(family);
                if (fam.empty() || !nftnl_chain_is_set(c.get(), NFTNL_CHAIN_HOOKNUM) ||
                    !nftnl_chain_is_set(c.get(), NFTNL_CHAIN_POLICY))
                    return;
                if (nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_HOOKNUM) != NF_INET_LOCAL_IN ||
                    nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_POLICY) != NF_DROP)
                    return;
                const std::string table = nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE);
                if (family == NFPROTO_INET && table == kTableName) return;
                out.push_back(std::string(fam) + " " + table + " " +
                              nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME));
            });
        if (err == EINTR) continue;
        if (err != 0)
            throw Error(Error::Kind::kernel, err,
                        std::string("listing chains: ") + std::strerror(err));
        return out;
    }
    throw Error(Error::Kind::io, EINTR, "listing chains: kept changing");
}

std::size_t input_rule_count(Netlink& nl) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        std::size_t n = 0;
        auto r = handles::make_rule();
        nftnl_rule_set_str(r.get(), NFTNL_RULE_TABLE, kTableName);
        nftnl_rule_set_str(r.get(), NFTNL_RULE_CHAIN, std::string(layout::kChain).c_str());
        const int err = nl.request(
            [&](char* buf, std::uint32_t seq) {
                nlmsghdr* nlh =
                    nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, NFPROTO_INET, NLM_F_DUMP, seq);
                nftnl_rule_nlmsg_build_payload(nlh, r.get());
                return nlh;
            },
            [&](const nlmsghdr* nlh) {
                if (NFNL_MSG_TYPE(nlh->nlmsg_type) == NFT_MSG_NEWRULE) ++n;
            });
        if (err == EINTR) continue;
        if (err == ENOENT) return 0;
        if (err != 0)
            throw Error(Error::Kind::kernel, err,
                        std::string("listing rules: ") + std::strerror(err));
        return n;
    }
    throw Error(Error::Kind::io, EINTR, "listing rules: kept changing");
}

}  // namespace jitd::nft::ops
