// The pickup sets (`pickup4`, `pickup6`): listing their tuples and removing some, e.g. those of
// a session `revoke --kill` ended, so that conntrack cannot pick it up again.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <cstring>

#include "nft/element_encoding.hpp"
#include "nft/kernel.hpp"
#include "nft/layout.hpp"
#include "nft/op_limits.hpp"
#include "nft/operations.hpp"
#include "nft/set_elements.hpp"
#include "nft/transaction.hpp"

namespace jitd::nft::ops {
namespace {

// One pickup set's tuples; false when the dump was interrupted by a concurrent change.
bool dump_pickups(Netlink& nl, std::string_view name, Prefix::Family family,
                  std::vector<Tuple>& out) {
    const SetReply reply = get_set_elements(nl, set_request(name), NLM_F_DUMP);
    const int err = reply.err;
    if (err == EINTR) return false;
    if (err == ENOENT) return true;  // no table or no such set (an older jitd's table)
    if (err != 0)
        throw Error(Error::Kind::kernel, err,
                    "listing set " + std::string(name) + ": " + std::strerror(err));
    struct Ctx {
        Prefix::Family family;
        std::vector<Tuple>* out;
    } ctx{family, &out};
    nftnl_set_elem_foreach(
        reply.elements.get(),
        [](nftnl_set_elem* e, void* arg) -> int {
            auto& c = *static_cast<Ctx*>(arg);
            if (auto t = keys::decode_pickup(c.family, element_bytes(e, NFTNL_SET_ELEM_KEY)))
                c.out->push_back(*t);
            return 0;
        },
        &ctx);
    return true;
}

}  // namespace

std::vector<Tuple> list_pickups(Netlink& nl) {
    std::vector<Tuple> out;
    for (auto family : {Prefix::Family::ipv4, Prefix::Family::ipv6}) {
        const auto name = layout::pickup_set_for(family);
        std::vector<Tuple> part;
        for (int attempt = 1; !dump_pickups(nl, name, family, part); ++attempt) {
            part.clear();
            if (attempt == kDumpAttempts)
                throw Error(Error::Kind::io, EINTR,
                            "listing set " + std::string(name) + ": kept changing");
        }
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

void remove_pickups(Netlink& nl, const Features& features, const std::vector<Tuple>& tuples) {
    if (tuples.empty()) return;
    if (features.destroy_element) {
        Batch b(nl.next_seq());
        for (const auto& t : tuples)
            tx::add_elements(b, MessageTag::about("removal of pickup element " + t.str()),
                             kernel::kMsgDestroySetElem, 0, layout::pickup_set_for(t.family),
                             {tx::ElemSpec::of(keys::pickup_key(t))});
        tx::run(nl, b);
        return;
    }
    // Without DESTROYSETELEM one absent element fails the whole batch: one each, ENOENT is fine.
    for (const auto& t : tuples) {
        Batch b(nl.next_seq());
        tx::add_elements(b, MessageTag::about("removal of pickup element " + t.str()),
                         NFT_MSG_DELSETELEM, 0, layout::pickup_set_for(t.family),
                         {tx::ElemSpec::of(keys::pickup_key(t))});
        b.finish();
        const BatchResult r = nl.transact(b);
        if (r.failures.size() == 1 && r.failures.front().err == ENOENT && !r.overflow) continue;
        tx::throw_failures(r, b);
    }
}

}  // namespace jitd::nft::ops
