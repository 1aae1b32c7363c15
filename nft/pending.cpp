// The `pending` set: jitd's pending approval requests, one element per request and one per
// approval so far (the engine's encoding, agent/daemon/pending_elements.hpp), each timing out
// at the request's lapse. No rule references the set; it is state the kernel keeps for jitd
// across restarts, like the grant sets' comments.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
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

std::string key_text(std::uint64_t key) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(key));
    return buf;
}

tx::ElemSpec spec_of(const PendingElement& e) {
    if (e.timeout.count() <= 0)
        throw Error(Error::Kind::kernel, EINVAL,
                    "pending element " + key_text(e.key) + " needs a timeout > 0");
    if (e.comment.size() > kMaxComment)
        throw Error(Error::Kind::kernel, EINVAL,
                    "pending element " + key_text(e.key) + ": comment longer than 127 bytes");
    tx::ElemSpec spec = tx::ElemSpec::of(keys::pending_key(e.key));
    spec.timeout = e.timeout;
    spec.comment = e.comment;
    return spec;
}

// False when the dump was interrupted by a concurrent change.
bool dump_pending(Netlink& nl, std::vector<PendingElement>& out) {
    const SetReply reply = get_set_elements(nl, set_request(layout::kPending), NLM_F_DUMP);
    if (reply.err == EINTR) return false;
    if (reply.err == ENOENT) return true;  // no table, or an older jitd's table without the set
    if (reply.err != 0)
        throw Error(Error::Kind::kernel, reply.err,
                    "listing set pending: " + std::string(std::strerror(reply.err)));
    nftnl_set_elem_foreach(
        reply.elements.get(),
        [](nftnl_set_elem* e, void* arg) -> int {
            if (auto pe = listed_pending(e))
                static_cast<std::vector<PendingElement>*>(arg)->push_back(std::move(*pe));
            return 0;
        },
        &out);
    return true;
}

}  // namespace

void add_pending_elements(Batch& b, const std::vector<PendingElement>& elements) {
    for (std::size_t i = 0; i < elements.size(); i += kPerMessage) {
        std::vector<tx::ElemSpec> chunk;
        const std::size_t end = std::min(elements.size(), i + kPerMessage);
        for (std::size_t j = i; j < end; ++j) chunk.push_back(spec_of(elements[j]));
        tx::add_elements(b, MessageTag::about("pending element " + key_text(elements[i].key)),
                         NFT_MSG_NEWSETELEM, NLM_F_CREATE | NLM_F_EXCL, layout::kPending, chunk);
    }
}

std::vector<PendingElement> list_pending(Netlink& nl) {
    std::vector<PendingElement> out;
    for (int attempt = 1; !dump_pending(nl, out); ++attempt) {
        out.clear();
        if (attempt == kDumpAttempts)
            throw Error(Error::Kind::io, EINTR, "listing set pending: kept changing");
    }
    return out;
}

void add_pending(Netlink& nl, const std::vector<PendingElement>& elements) {
    if (elements.empty()) return;
    Batch b(nl.next_seq());
    add_pending_elements(b, elements);
    tx::run(nl, b);
}

void remove_pending(Netlink& nl, const Features& features, const std::vector<std::uint64_t>& keys) {
    if (keys.empty()) return;
    auto tag = [](std::uint64_t k) {
        return MessageTag::about("removal of pending element " + key_text(k));
    };
    if (features.destroy_element) {
        Batch b(nl.next_seq());
        for (const auto k : keys)
            tx::add_elements(b, tag(k), kernel::kMsgDestroySetElem, 0, layout::kPending,
                             {tx::ElemSpec::of(keys::pending_key(k))});
        tx::run(nl, b);
        return;
    }
    // Without DESTROYSETELEM one absent element fails the whole batch: one each, ENOENT is fine
    // (the kernel may have timed it out already).
    for (const auto k : keys) {
        Batch b(nl.next_seq());
        tx::add_elements(b, tag(k), NFT_MSG_DELSETELEM, 0, layout::kPending,
                         {tx::ElemSpec::of(keys::pending_key(k))});
        b.finish();
        const BatchResult r = nl.transact(b);
        if (r.failures.size() == 1 && r.failures.front().err == ENOENT && !r.overflow) continue;
        tx::throw_failures(r, b);
    }
}

}  // namespace jitd::nft::ops
