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
#include "nft/transaction.hpp"

namespace jitd::nft::ops {
namespace {

constexpr int kDumpAttempts = 5;

std::string comment_of(nftnl_set_elem* e) {
    if (!nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_USERDATA)) return {};
    std::uint32_t len = 0;
    const void* data = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &len);
    std::string out;
    auto cb = [](const nftnl_udata* attr, void* arg) -> int {
        if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT) {
            const char* text = static_cast<const char*>(nftnl_udata_get(attr));
            *static_cast<std::string*>(arg) =
                std::string(text, strnlen(text, nftnl_udata_len(attr)));
        }
        return 0;
    };
    nftnl_udata_parse(data, len, cb, &out);
    return out;
}

keys::Bytes bytes_of(nftnl_set_elem* e, std::uint16_t attr) {
    std::uint32_t len = 0;
    const auto* p = static_cast<const std::uint8_t*>(nftnl_set_elem_get(e, attr, &len));
    return p ? keys::Bytes(p, p + len) : keys::Bytes{};
}

// One set's elements; false when the dump was interrupted by a concurrent change.
bool dump_set(Netlink& nl, const layout::SetDef& def, std::vector<ListedElement>& out) {
    auto request = handles::make_set();
    nftnl_set_set_str(request.get(), NFTNL_SET_TABLE, kTableName);
    nftnl_set_set_str(request.get(), NFTNL_SET_NAME, std::string(def.name).c_str());
    auto replies = handles::make_set();
    const int err = nl.request(
        [&](char* buf, std::uint32_t seq) {
            nlmsghdr* nlh =
                nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, seq);
            nftnl_set_elems_nlmsg_build_payload(nlh, request.get());
            return nlh;
        },
        [&](const nlmsghdr* nlh) { nftnl_set_elems_nlmsg_parse(nlh, replies.get()); });
    if (err == EINTR) return false;
    if (err == ENOENT) return true;  // no table or no such set: nothing granted
    if (err != 0)
        throw Error(Error::Kind::kernel, err,
                    "listing set " + std::string(def.name) + ": " + std::strerror(err));
    const auto family = def.fields.front().len == 4 ? Prefix::Family::ipv4 : Prefix::Family::ipv6;
    struct Ctx {
        const layout::SetDef* def;
        Prefix::Family family;
        std::vector<ListedElement>* out;
    } ctx{&def, family, &out};
    nftnl_set_elem_foreach(
        replies.get(),
        [](nftnl_set_elem* e, void* arg) -> int {
            auto& c = *static_cast<Ctx*>(arg);
            const keys::Bytes key = bytes_of(e, NFTNL_SET_ELEM_KEY);
            const keys::Bytes end = bytes_of(e, NFTNL_SET_ELEM_KEY_END);
            auto decoded = keys::decode_grant(c.family, key, c.def->interval ? &end : nullptr);
            if (!decoded) return 0;  // not ours to interpret
            ListedElement le;
            le.key = *decoded;
            if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
                le.timeout =
                    std::chrono::milliseconds(nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_TIMEOUT));
            if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
                le.remaining =
                    std::chrono::milliseconds(nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_EXPIRATION));
            le.comment = comment_of(e);
            c.out->push_back(std::move(le));
            return 0;
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
