// apply(): grant element changes in one transaction, one message per element so that a kernel
// error names its element. Deleting what the kernel already expired is not an error, and with
// Change::replace an add replaces an element of exactly its key that the kernel still holds.
//
// Both are settled here, against the kernel's answers, the same way on every kernel: the batch
// is sent as asked; a refused delete of an absent key (ENOENT, kernels before 6.3 without
// DESTROYSETELEM) is dropped, and an add refused because its exact key is there (EEXIST) gets
// a delete of that key in front of it; then the batch is sent again. A refused batch applies
// nothing, so each round starts from the same kernel state, and each round settles at least one
// message for good, so this ends. A key is deleted only when the kernel holds exactly it (a
// hash set's EEXIST says so, an interval set's is checked with a lookup): never an overlapping
// prefix, which stays refused as Error::Kind::overlap.
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
#include "nft/op_limits.hpp"
#include "nft/operations.hpp"
#include "nft/transaction.hpp"

namespace jitd::nft::ops {
namespace {

tx::ElemSpec grant_elem(const ElementKey& key) {
    tx::ElemSpec spec = tx::ElemSpec::of(keys::grant_key(key));
    if (!key.source.is_host()) spec.key_end = keys::grant_key(key, true);
    return spec;
}

void check_add(const Element& e) {
    if (e.timeout.count() <= 0)
        throw Error(Error::Kind::kernel, EINVAL,
                    "grant element " + e.key.str() + " needs a timeout > 0", e.key);
    if (e.comment.size() > kMaxComment)
        throw Error(Error::Kind::kernel, EINVAL,
                    "grant element " + e.key.str() + ": comment longer than 127 bytes", e.key);
}

// What one round sends: the removals still wanted, and per add whether a delete of its key
// goes in front of it (`replacing`) or its key was found absent (`absent`: never again).
struct Plan {
    std::vector<ElementKey> removes;
    std::vector<bool> replacing, absent;
};

Batch build(Netlink& nl, const Features& features, const Plan& plan,
            const std::vector<Element>& adds) {
    Batch b(nl.next_seq());
    const int del_type = features.destroy_element ? kernel::kMsgDestroySetElem : NFT_MSG_DELSETELEM;
    auto add_delete = [&](const ElementKey& k, std::size_t index) {
        MessageTag tag{MessageTag::Op::delete_element, "removal of grant element " + k.str(), k,
                       index, !k.source.is_host()};
        tx::add_elements(b, std::move(tag), del_type, 0, layout::grant_set_for(k), {grant_elem(k)});
    };
    // Deletes: index i < removes.size() is removes[i], removes.size() + j replaces adds[j].
    for (std::size_t i = 0; i < plan.removes.size(); ++i) add_delete(plan.removes[i], i);
    for (std::size_t j = 0; j < adds.size(); ++j)
        if (plan.replacing[j]) add_delete(adds[j].key, plan.removes.size() + j);
    for (std::size_t j = 0; j < adds.size(); ++j) {
        const Element& e = adds[j];
        tx::ElemSpec spec = grant_elem(e.key);
        spec.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(e.timeout);
        spec.comment = e.comment;
        MessageTag tag{MessageTag::Op::add_element, "grant element " + e.key.str(), e.key, j,
                       !e.key.source.is_host()};
        // EXCL: an existing equal or overlapping element is an error, never silently kept.
        tx::add_elements(b, std::move(tag), NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL,
                         layout::grant_set_for(e.key), {spec});
    }
    b.finish();
    return b;
}

// Whether the kernel holds exactly `key`. A hash set's EEXIST already says so; an interval
// set's EEXIST also comes for an overlap, so look.
bool holds_exactly(Netlink& nl, const ElementKey& key, const MessageTag& tag) {
    return !tag.interval || find_element(nl, key).has_value();
}

// The refusal of an add that will not be replaced: `exists` for an exact duplicate, `overlap`
// for an overlapping prefix.
Error refusal_of(Netlink& nl, const Failure& f, const MessageTag& tag) {
    Error e = tx::error_for(f, &tag);
    if (e.kind() == Error::Kind::overlap && tag.key && find_element(nl, *tag.key))
        return Error(Error::Kind::exists, e.err(),
                     "kernel refused grant element " + tag.key->str() +
                         ": File exists (the same prefix is already there)",
                     tag.key);
    return e;
}

bool in(const std::vector<ElementKey>& keys, const ElementKey& k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
}

// The first round: each removal once (a key deleted twice fails the second time, ENOENT), no
// add replacing anything yet.
Plan first_plan(const Change& change) {
    Plan plan;
    std::unordered_set<std::string> seen;
    for (const auto& k : change.remove)
        if (seen.insert(k.str()).second) plan.removes.push_back(k);
    plan.replacing.assign(change.add.size(), false);
    plan.absent.assign(change.add.size(), false);
    return plan;
}

// What a refused round has learnt for the next: the removals the kernel did not have, and the
// adds that get a delete in front of them or turned out to have nothing to replace.
struct Lessons {
    const Plan& plan;
    Plan next;
    std::set<std::size_t> gone;
};

// Settles one refused message into `l` (true), or leaves it a refusal to report (false).
bool settle(Netlink& nl, const Features& features, const Change& change, const Failure& f,
            const MessageTag& tag, Lessons& l) {
    if (tag.op == MessageTag::Op::delete_element && f.err == ENOENT && !features.destroy_element) {
        if (tag.index < l.plan.removes.size()) {
            l.gone.insert(tag.index);
        } else {  // the key to replace went away meanwhile: just add
            const std::size_t j = tag.index - l.plan.removes.size();
            l.next.replacing[j] = false;
            l.next.absent[j] = true;
        }
        return true;
    }
    const bool retry_add = tag.op == MessageTag::Op::add_element && f.err == EEXIST &&
                           change.replace && !l.plan.replacing[tag.index] &&
                           !l.plan.absent[tag.index] && !l.next.absent[tag.index] &&
                           !in(l.plan.removes, *tag.key);
    if (retry_add && holds_exactly(nl, *tag.key, tag)) {
        l.next.replacing[tag.index] = true;
        return true;
    }
    return false;
}

// The plan of the round after the refused batch `b`; throws the refusal that cannot be settled.
Plan next_plan(Netlink& nl, const Features& features, const Change& change, const Plan& plan,
               const Batch& b, const BatchResult& result) {
    Lessons l{plan, plan, {}};
    for (const auto& f : result.failures) {
        const MessageTag* tag = b.tag(f.seq);
        if (tag == nullptr) tx::throw_failures(result, b);
        if (settle(nl, features, change, f, *tag, l)) continue;
        if (tag->op == MessageTag::Op::add_element && f.err == EEXIST)
            throw refusal_of(nl, f, *tag);
        throw tx::error_for(f, tag);
    }
    l.next.removes.clear();
    for (std::size_t i = 0; i < plan.removes.size(); ++i)
        if (!l.gone.count(i)) l.next.removes.push_back(plan.removes[i]);
    return std::move(l.next);
}

}  // namespace

void apply(Netlink& nl, const Features& features, const Change& change) {
    if (change.empty()) return;
    for (const auto& e : change.add) check_add(e);
    Plan plan = first_plan(change);
    while (true) {
        Batch b = build(nl, features, plan, change.add);
        const BatchResult result = nl.transact(b);
        if (result.failures.empty() && !result.overflow) return;
        if (result.overflow) tx::throw_failures(result, b);
        plan = next_plan(nl, features, change, plan, b, result);
    }
}

}  // namespace jitd::nft::ops
