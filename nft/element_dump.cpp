#include "nft/element_dump.hpp"

#include <endian.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>

#include <cstring>

#include "nft/keys.hpp"
#include "nft/set_elements.hpp"

namespace jitd::nft::ops {
namespace {

// NFTNL_UDATA_SET_ELEM_COMMENT: the type nft and jitd give an element's comment.
constexpr std::uint8_t kCommentType = 0;

// What one dump collects, with buffers reused from element to element.
struct Collect {
    Prefix::Family family;
    bool interval;
    std::vector<ListedElement>* out;
    keys::Bytes key, key_end;
};

// Calls fn(attr) for each attribute nested in `nest` (libmnl checks each one's bounds).
template <typename Fn>
void for_each_nested(const nlattr* nest, Fn&& fn) {
    mnl_attr_parse_nested(
        nest,
        [](const nlattr* a, void* data) -> int {
            (*static_cast<Fn*>(data))(a);
            return MNL_CB_OK;
        },
        &fn);
}

// The bytes of an NFTA_DATA_VALUE inside a nested NFTA_SET_ELEM_KEY / KEY_END.
void data_value(const nlattr* nest, keys::Bytes& into) {
    into.clear();
    for_each_nested(nest, [&](const nlattr* a) {
        if (mnl_attr_get_type(a) != NFTA_DATA_VALUE) return;
        const auto* p = static_cast<const std::uint8_t*>(mnl_attr_get_payload(a));
        into.assign(p, p + mnl_attr_get_payload_len(a));
    });
}

std::chrono::milliseconds be64_ms(const nlattr* a) {
    if (mnl_attr_get_payload_len(a) < sizeof(std::uint64_t)) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(be64toh(mnl_attr_get_u64(a)));
}

// The comment among an element's user data (TLVs of a type byte, a length byte, the value;
// nft stores the comment with its NUL).
std::string comment_in(const nlattr* a) {
    const auto* p = static_cast<const std::uint8_t*>(mnl_attr_get_payload(a));
    const std::size_t len = mnl_attr_get_payload_len(a);
    for (std::size_t pos = 0; pos + 2 <= len;) {
        const std::uint8_t type = p[pos], n = p[pos + 1];
        if (pos + 2 + n > len) break;
        if (type == kCommentType) {
            const char* text = reinterpret_cast<const char*>(p + pos + 2);
            return std::string(text, strnlen(text, n));
        }
        pos += 2 + n;
    }
    return {};
}

void one_element(const nlattr* elem, Collect& c) {
    ListedElement le;
    bool have_key = false;
    c.key_end.clear();
    for_each_nested(elem, [&](const nlattr* a) {
        switch (mnl_attr_get_type(a)) {
            case NFTA_SET_ELEM_KEY:
                data_value(a, c.key);
                have_key = true;
                break;
            case NFTA_SET_ELEM_KEY_END:
                data_value(a, c.key_end);
                break;
            case NFTA_SET_ELEM_TIMEOUT:
                le.timeout = be64_ms(a);
                break;
            case NFTA_SET_ELEM_EXPIRATION:
                le.remaining = be64_ms(a);
                break;
            case NFTA_SET_ELEM_USERDATA:
                le.comment = comment_in(a);
                break;
            default:
                break;
        }
    });
    if (!have_key) return;
    // As listed_grant(): an interval set's element without a key end decodes as no grant.
    auto decoded = keys::decode_grant(c.family, c.key, c.interval ? &c.key_end : nullptr);
    if (!decoded) return;  // not a key that is ours to interpret
    le.key = *decoded;
    c.out->push_back(std::move(le));
}

}  // namespace

int dump_grant_set(Netlink& nl, const layout::SetDef& def, std::vector<ListedElement>& out) {
    const auto request = set_request(def.name);
    Collect c{def.fields.front().len == 4 ? Prefix::Family::ipv4 : Prefix::Family::ipv6,
              def.interval,
              &out,
              {},
              {}};
    return nl.request(
        [&](char* buf, std::uint32_t seq) {
            nlmsghdr* nlh =
                nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, NLM_F_DUMP, seq);
            nftnl_set_elems_nlmsg_build_payload(nlh, request.get());
            return nlh;
        },
        [&](const nlmsghdr* nlh) {
            if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
                NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWSETELEM)
                return;
            auto on_list = [&](const nlattr* a) {
                if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS) return;
                for_each_nested(a, [&](const nlattr* elem) {
                    if (mnl_attr_get_type(elem) == NFTA_LIST_ELEM) one_element(elem, c);
                });
            };
            mnl_attr_parse(
                nlh, sizeof(nfgenmsg),
                [](const nlattr* a, void* data) -> int {
                    (*static_cast<decltype(on_list)*>(data))(a);
                    return MNL_CB_OK;
                },
                &on_list);
        });
}

}  // namespace jitd::nft::ops
