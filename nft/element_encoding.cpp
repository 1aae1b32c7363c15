#include "nft/element_encoding.hpp"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <new>

#include "nft/session.hpp"

namespace jitd::nft::tx {

handles::SetElem make_element(const ElemSpec& spec) {
    auto e = handles::make_elem();
    nftnl_set_elem_set(e.get(), NFTNL_SET_ELEM_KEY, spec.key.data(),
                       static_cast<std::uint32_t>(spec.key.size()));
    if (spec.key_end)
        nftnl_set_elem_set(e.get(), NFTNL_SET_ELEM_KEY_END, spec.key_end->data(),
                           static_cast<std::uint32_t>(spec.key_end->size()));
    if (spec.flags != 0) nftnl_set_elem_set_u32(e.get(), NFTNL_SET_ELEM_FLAGS, spec.flags);
    if (spec.timeout.count() > 0)
        nftnl_set_elem_set_u64(e.get(), NFTNL_SET_ELEM_TIMEOUT,
                               static_cast<std::uint64_t>(spec.timeout.count()));
    if (!spec.comment.empty()) {
        // `nft list` shows the NFTNL_UDATA_SET_ELEM_COMMENT TLV as `comment "..."`.
        handles::UdataBuf ud(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
        if (!ud) throw std::bad_alloc();
        if (!nftnl_udata_put_strz(ud.get(), NFTNL_UDATA_SET_ELEM_COMMENT, spec.comment.c_str()))
            throw Error(Error::Kind::kernel, EINVAL, "element comment too long: " + spec.comment);
        nftnl_set_elem_set(e.get(), NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud.get()),
                           nftnl_udata_buf_len(ud.get()));
    }
    return e;
}

void add_elements(Batch& batch, MessageTag tag, int msg_type, std::uint16_t flags,
                  std::string_view set, const std::vector<ElemSpec>& elems) {
    auto s = handles::make_set();
    nftnl_set_set_str(s.get(), NFTNL_SET_TABLE, kTableName);
    nftnl_set_set_str(s.get(), NFTNL_SET_NAME, std::string(set).c_str());
    for (const auto& spec : elems) nftnl_set_elem_add(s.get(), make_element(spec).release());
    const std::size_t room = 512 + elems.size() * 512;
    batch.add(std::move(tag), room, [&](char* buf, std::uint32_t seq) {
        nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, static_cast<std::uint16_t>(msg_type),
                                              NFPROTO_INET, flags, seq);
        nftnl_set_elems_nlmsg_build_payload(nlh, s.get());
        return nlh;
    });
}

}  // namespace jitd::nft::tx
