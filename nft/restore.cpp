// restore(): the whole table as install() builds it and every live grant, in one transaction.
// For when another tool deleted or changed what jitd owns: the grant sets are emptied in the
// same batch (a foreign element goes, a deleted one comes back) and refilled with `grants`;
// the pending set likewise with `pending`.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <map>
#include <string>

#include "nft/element_encoding.hpp"
#include "nft/layout.hpp"
#include "nft/op_limits.hpp"
#include "nft/operations.hpp"
#include "nft/transaction.hpp"

namespace jitd::nft::ops {
namespace {

tx::ElemSpec spec_of(const Element& e) {
    if (e.timeout.count() <= 0)
        throw Error(Error::Kind::kernel, EINVAL,
                    "grant element " + e.key.str() + " needs a timeout > 0", e.key);
    if (e.comment.size() > kMaxComment)
        throw Error(Error::Kind::kernel, EINVAL,
                    "grant element " + e.key.str() + ": comment longer than 127 bytes", e.key);
    tx::ElemSpec spec = tx::ElemSpec::of(keys::grant_key(e.key));
    if (!e.key.source.is_host()) spec.key_end = keys::grant_key(e.key, true);
    spec.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(e.timeout);
    spec.comment = e.comment;
    return spec;
}

}  // namespace

void restore(Netlink& nl, const TableSpec& spec, const std::vector<Element>& grants,
             const std::vector<PendingElement>& pending) {
    const auto present = check_existing(nl);
    Batch b(nl.next_seq());
    add_install(b, spec, {}, present);
    std::map<std::string_view, std::vector<const Element*>> per_set;
    for (const auto& def : layout::sets()) {
        if (def.role != layout::SetRole::grant) continue;
        tx::add_elements(b, MessageTag::about("flush of set " + std::string(def.name)),
                         NFT_MSG_DELSETELEM, 0, def.name, {});
        per_set[def.name];
    }
    for (const auto& e : grants) per_set[layout::grant_set_for(e.key)].push_back(&e);
    for (const auto& [set, elems] : per_set) {
        for (std::size_t i = 0; i < elems.size(); i += kPerMessage) {
            std::vector<tx::ElemSpec> chunk;
            const std::size_t end = std::min(elems.size(), i + kPerMessage);
            for (std::size_t j = i; j < end; ++j) chunk.push_back(spec_of(*elems[j]));
            MessageTag tag =
                MessageTag::about("grant elements " + elems[i]->key.str() + " ... (" +
                                  std::to_string(end - i) + ") of set " + std::string(set));
            tx::add_elements(b, std::move(tag), NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL, set,
                             chunk);
        }
    }
    tx::add_elements(b, MessageTag::about("flush of set " + std::string(layout::kPending)),
                     NFT_MSG_DELSETELEM, 0, layout::kPending, {});
    add_pending_elements(b, pending);
    tx::run(nl, b);
}

}  // namespace jitd::nft::ops
