// find_element(): one grant element, looked up by key (NFT_MSG_GETSETELEM without a dump), so
// that confirming a few expiries costs a few round trips instead of a listing of every grant.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <cstring>

#include "nft/layout.hpp"
#include "nft/operations.hpp"
#include "nft/transaction.hpp"

namespace jitd::nft::ops {
namespace {

keys::Bytes bytes_of(nftnl_set_elem* e, std::uint16_t attr) {
    std::uint32_t len = 0;
    const auto* p = static_cast<const std::uint8_t*>(nftnl_set_elem_get(e, attr, &len));
    return p ? keys::Bytes(p, p + len) : keys::Bytes{};
}

}  // namespace

std::optional<ListedElement> find_element(Netlink& nl, const ElementKey& key) {
    const layout::SetDef& def = layout::set(layout::grant_set_for(key));
    tx::ElemSpec spec = tx::ElemSpec::of(keys::grant_key(key));
    if (def.interval) spec.key_end = keys::grant_key(key, true);
    auto request = handles::make_set();
    nftnl_set_set_str(request.get(), NFTNL_SET_TABLE, kTableName);
    nftnl_set_set_str(request.get(), NFTNL_SET_NAME, std::string(def.name).c_str());
    nftnl_set_elem_add(request.get(), tx::make_element(spec).release());
    auto replies = handles::make_set();
    const int err = nl.request(
        [&](char* buf, std::uint32_t seq) {
            nlmsghdr* nlh =
                nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_ACK, seq);
            nftnl_set_elems_nlmsg_build_payload(nlh, request.get());
            return nlh;
        },
        [&](const nlmsghdr* nlh) { nftnl_set_elems_nlmsg_parse(nlh, replies.get()); });
    // ENOENT: gone (deleted, or expired: the kernel never returns an expired element).
    if (err == ENOENT) return std::nullopt;
    if (err != 0)
        throw Error(Error::Kind::kernel, err,
                    "looking up grant element " + key.str() + ": " + std::strerror(err), key);
    const auto family = def.fields.front().len == 4 ? Prefix::Family::ipv4 : Prefix::Family::ipv6;
    struct Ctx {
        const layout::SetDef* def;
        Prefix::Family family;
        const ElementKey* want;
        std::optional<ListedElement> found;
    } ctx{&def, family, &key, std::nullopt};
    nftnl_set_elem_foreach(
        replies.get(),
        [](nftnl_set_elem* e, void* arg) -> int {
            auto& c = *static_cast<Ctx*>(arg);
            const keys::Bytes k = bytes_of(e, NFTNL_SET_ELEM_KEY);
            const keys::Bytes end = bytes_of(e, NFTNL_SET_ELEM_KEY_END);
            auto decoded = keys::decode_grant(c.family, k, c.def->interval ? &end : nullptr);
            // An interval lookup answers with the element containing the key: only an exact
            // match is the element asked for.
            if (!decoded || *decoded != *c.want) return 0;
            ListedElement le;
            le.key = *decoded;
            if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
                le.timeout =
                    std::chrono::milliseconds(nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_TIMEOUT));
            if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
                le.remaining =
                    std::chrono::milliseconds(nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_EXPIRATION));
            c.found = std::move(le);
            return 0;
        },
        &ctx);
    return ctx.found;
}

}  // namespace jitd::nft::ops
