#include "nft/set_elements.hpp"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cstring>
#include <string>

#include "nft/kernel.hpp"

namespace jitd::nft::ops {
namespace {

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

}  // namespace

handles::Set set_request(std::string_view name) {
    auto request = handles::make_set();
    nftnl_set_set_str(request.get(), NFTNL_SET_TABLE, kTableName);
    nftnl_set_set_str(request.get(), NFTNL_SET_NAME, std::string(name).c_str());
    return request;
}

SetReply get_set_elements(Netlink& nl, const handles::Set& request, std::uint16_t flags) {
    SetReply reply;
    reply.err = nl.request(
        [&](char* buf, std::uint32_t seq) {
            nlmsghdr* nlh =
                nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_INET, flags, seq);
            nftnl_set_elems_nlmsg_build_payload(nlh, request.get());
            return nlh;
        },
        [&](const nlmsghdr* nlh) { nftnl_set_elems_nlmsg_parse(nlh, reply.elements.get()); });
    return reply;
}

keys::Bytes element_bytes(nftnl_set_elem* e, std::uint16_t attr) {
    std::uint32_t len = 0;
    const auto* p = static_cast<const std::uint8_t*>(nftnl_set_elem_get(e, attr, &len));
    return p ? keys::Bytes(p, p + len) : keys::Bytes{};
}

std::optional<ListedElement> listed_grant(nftnl_set_elem* e, const layout::SetDef& def) {
    const auto family = def.fields.front().len == 4 ? Prefix::Family::ipv4 : Prefix::Family::ipv6;
    const keys::Bytes key = element_bytes(e, NFTNL_SET_ELEM_KEY);
    const keys::Bytes end = element_bytes(e, NFTNL_SET_ELEM_KEY_END);
    auto decoded = keys::decode_grant(family, key, def.interval ? &end : nullptr);
    if (!decoded) return std::nullopt;
    ListedElement le;
    le.key = *decoded;
    if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
        le.timeout = std::chrono::milliseconds(nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_TIMEOUT));
    if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
        le.remaining =
            std::chrono::milliseconds(nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_EXPIRATION));
    le.comment = comment_of(e);
    return le;
}

std::optional<PendingElement> listed_pending(nftnl_set_elem* e) {
    auto key = keys::decode_pending(element_bytes(e, NFTNL_SET_ELEM_KEY));
    if (!key) return std::nullopt;
    PendingElement pe;
    pe.key = *key;
    if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT))
        pe.timeout = std::chrono::milliseconds(nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_TIMEOUT));
    if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION))
        pe.remaining =
            std::chrono::milliseconds(nftnl_set_elem_get_u64(e, NFTNL_SET_ELEM_EXPIRATION));
    pe.comment = comment_of(e);
    return pe;
}

}  // namespace jitd::nft::ops
