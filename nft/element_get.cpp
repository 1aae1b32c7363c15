// find_element(): one grant element, looked up by key (NFT_MSG_GETSETELEM without a dump), so
// that confirming a few expiries costs a few round trips instead of a listing of every grant.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <cstring>

#include "nft/element_encoding.hpp"
#include "nft/layout.hpp"
#include "nft/operations.hpp"
#include "nft/set_elements.hpp"

namespace jitd::nft::ops {

std::optional<ListedElement> find_element(Netlink& nl, const ElementKey& key) {
    const layout::SetDef& def = layout::set(layout::grant_set_for(key));
    tx::ElemSpec spec = tx::ElemSpec::of(keys::grant_key(key));
    if (def.interval) spec.key_end = keys::grant_key(key, true);
    auto request = set_request(def.name);
    nftnl_set_elem_add(request.get(), tx::make_element(spec).release());
    const SetReply reply = get_set_elements(nl, request, NLM_F_ACK);
    // ENOENT: gone (deleted, or expired: the kernel never returns an expired element).
    if (reply.err == ENOENT) return std::nullopt;
    if (reply.err != 0)
        throw Error(Error::Kind::kernel, reply.err,
                    "looking up grant element " + key.str() + ": " + std::strerror(reply.err), key);
    struct Ctx {
        const layout::SetDef* def;
        const ElementKey* want;
        std::optional<ListedElement> found;
    } ctx{&def, &key, std::nullopt};
    nftnl_set_elem_foreach(
        reply.elements.get(),
        [](nftnl_set_elem* e, void* arg) -> int {
            auto& c = *static_cast<Ctx*>(arg);
            auto le = listed_grant(e, *c.def);
            // An interval lookup answers with the element containing the key: only an exact
            // match is the element asked for.
            if (le && le->key == *c.want) c.found = std::move(le);
            return 0;
        },
        &ctx);
    return ctx.found;
}

}  // namespace jitd::nft::ops
