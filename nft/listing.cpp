// list_elements(): every live grant element with its timeout, remaining time and comment,
// read back from the kernel so that a restarted daemon can rebuild its state.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include <algorithm>
#include <array>

#include "nft/layout.hpp"
#include "nft/operations.hpp"
#include "nft/set_elements.hpp"

namespace jitd::nft::ops {
namespace {

constexpr int kDumpAttempts = 5;

// One set's elements; false when the dump was interrupted by a concurrent change.
bool dump_set(Netlink& nl, const layout::SetDef& def, std::vector<ListedElement>& out) {
    const SetReply reply = get_set_elements(nl, set_request(def.name), NLM_F_DUMP);
    if (reply.err == EINTR) return false;
    if (reply.err == ENOENT) return true;  // no table or no such set: nothing granted
    if (reply.err != 0)
        throw Error(Error::Kind::kernel, reply.err,
                    "listing set " + std::string(def.name) + ": " + std::strerror(reply.err));
    struct Ctx {
        const layout::SetDef* def;
        std::vector<ListedElement>* out;
    } ctx{&def, &out};
    nftnl_set_elem_foreach(
        reply.elements.get(),
        [](nftnl_set_elem* e, void* arg) -> int {
            auto& c = *static_cast<Ctx*>(arg);
            if (auto le = listed_grant(e, *c.def)) c.out->push_back(std::move(*le));
            return 0;  // a key that is not ours to interpret is skipped
        },
        &ctx);
    return true;
}

// A hash set that the kernel resizes while it is dumped can yield one element twice and skip
// another, without NLM_F_DUMP_INTR. A repeated key means the dump was torn: take it again.
bool torn(const std::vector<ListedElement>& v) {
    std::vector<std::array<std::uint8_t, 20>> keys;
    keys.reserve(v.size());
    for (const auto& e : v) {
        std::array<std::uint8_t, 20> k{};
        std::copy(e.key.source.bytes.begin(), e.key.source.bytes.end(), k.begin());
        k[16] = e.key.source.len;
        k[17] = static_cast<std::uint8_t>(e.key.proto);
        k[18] = static_cast<std::uint8_t>(e.key.port >> 8);
        k[19] = static_cast<std::uint8_t>(e.key.port & 0xff);
        keys.push_back(k);
    }
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

}  // namespace

std::vector<ListedElement> list_set(Netlink& nl, std::string_view name) {
    const layout::SetDef& def = layout::set(name);
    std::vector<ListedElement> out;
    for (int attempt = 1; !dump_set(nl, def, out) || torn(out); ++attempt) {
        out.clear();
        if (attempt == kDumpAttempts)
            throw Error(Error::Kind::io, EINTR,
                        "listing set " + std::string(def.name) + ": kept changing");
    }
    return out;
}

std::vector<ListedElement> list_elements(Netlink& nl) {
    std::vector<ListedElement> out;
    for (const auto& def : layout::sets()) {
        if (def.role != layout::SetRole::grant) continue;
        auto part = list_set(nl, def.name);
        std::move(part.begin(), part.end(), std::back_inserter(out));
    }
    return out;
}

}  // namespace jitd::nft::ops
