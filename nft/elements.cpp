// apply(): grant element changes in one transaction, one message per element so that a kernel
// error names its element. Deleting what the kernel already expired is not an error.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <string>
#include <unordered_set>

#include "nft/element_encoding.hpp"
#include "nft/kernel.hpp"
#include "nft/layout.hpp"
#include "nft/operations.hpp"
#include "nft/transaction.hpp"

namespace jitd::nft::ops {
namespace {

// nft's limit for a comment (NFTNL_UDATA_COMMENT_MAXLEN, with its NUL).
constexpr std::size_t kMaxComment = NFTNL_UDATA_COMMENT_MAXLEN - 1;

tx::ElemSpec grant_elem(const ElementKey& key) {
    tx::ElemSpec spec = tx::ElemSpec::of(keys::grant_key(key));
    if (!key.source.is_host()) spec.key_end = keys::grant_key(key, true);
    return spec;
}

// The kernel answers EEXIST for an interval element both when the same prefix is there and
// when an overlapping one is: look which it was, so that an exact duplicate is `exists` for
// prefixes as it is for hosts (callers may replace an exact duplicate, never an overlap).
Error refined(Netlink& nl, Error e) {
    if (e.kind() != Error::Kind::overlap || !e.key()) return e;
    const ElementKey& key = *e.key();
    for (const auto& l : list_set(nl, layout::grant_set_for(key)))
        if (l.key == key)
            return Error(Error::Kind::exists, e.err(),
                         "kernel refused grant element " + key.str() +
                             ": File exists (the same prefix is already there)",
                         key);
    return e;
}

Batch build(Netlink& nl, const Features& features, const std::vector<ElementKey>& removes,
            const std::vector<Element>& adds) {
    Batch b(nl.next_seq());
    const int del_type = features.destroy_element ? kernel::kMsgDestroySetElem : NFT_MSG_DELSETELEM;
    for (std::size_t i = 0; i < removes.size(); ++i) {
        const ElementKey& k = removes[i];
        MessageTag tag{MessageTag::Op::delete_element, "removal of grant element " + k.str(), k, i,
                       !k.source.is_host()};
        tx::add_elements(b, std::move(tag), del_type, 0, layout::grant_set_for(k), {grant_elem(k)});
    }
    for (std::size_t i = 0; i < adds.size(); ++i) {
        const Element& e = adds[i];
        if (e.timeout.count() <= 0)
            throw Error(Error::Kind::kernel, EINVAL,
                        "grant element " + e.key.str() + " needs a timeout > 0", e.key);
        if (e.comment.size() > kMaxComment)
            throw Error(Error::Kind::kernel, EINVAL,
                        "grant element " + e.key.str() + ": comment longer than 127 bytes", e.key);
        tx::ElemSpec spec = grant_elem(e.key);
        spec.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(e.timeout);
        spec.comment = e.comment;
        MessageTag tag{MessageTag::Op::add_element, "grant element " + e.key.str(), e.key, i,
                       !e.key.source.is_host()};
        // EXCL: an existing equal or overlapping element is an error, never silently kept.
        tx::add_elements(b, std::move(tag), NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL,
                         layout::grant_set_for(e.key), {spec});
    }
    b.finish();
    return b;
}

}  // namespace

void apply(Netlink& nl, const Features& features, const Change& change) {
    if (change.empty()) return;
    // A key deleted twice would fail the second time (ENOENT), so send each one once.
    std::vector<ElementKey> removes;
    std::unordered_set<std::string> seen;
    for (const auto& k : change.remove)
        if (seen.insert(k.str()).second) removes.push_back(k);

    // Each round drops at least one delete, so this ends.
    while (true) {
        Batch b = build(nl, features, removes, change.add);
        const BatchResult result = nl.transact(b);
        if (result.failures.empty() && !result.overflow) return;
        // Without DESTROYSETELEM a delete of an element the kernel already expired fails with
        // ENOENT: drop those deletes and send the rest again (nothing was applied).
        std::set<std::size_t> expired;
        for (const auto& f : result.failures) {
            const MessageTag* tag = b.tag(f.seq);
            if (!features.destroy_element && f.err == ENOENT && tag &&
                tag->op == MessageTag::Op::delete_element)
                expired.insert(tag->index);
            else
                throw refined(nl, tx::error_for(f, tag));
        }
        if (result.overflow || expired.empty()) tx::throw_failures(result, b);
        std::vector<ElementKey> kept;
        for (std::size_t i = 0; i < removes.size(); ++i)
            if (!expired.count(i)) kept.push_back(removes[i]);
        removes = std::move(kept);
    }
}

}  // namespace jitd::nft::ops
