// Table-level operations and the feature probe.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <cstring>

#include "nft/element_encoding.hpp"
#include "nft/kernel.hpp"
#include "nft/operations.hpp"
#include "nft/transaction.hpp"

namespace jitd::nft::ops {

Features probe(Netlink& nl) {
    Features f;
    // DESTROYSETELEM on a table that cannot exist: a kernel that knows the message answers
    // ENOENT for the table; an older one refuses the unknown message type (EINVAL or
    // EOPNOTSUPP). The batch fails either way, so nothing changes.
    Batch b(nl.next_seq());
    tx::add_elements(b, MessageTag::about("feature probe"), kernel::kMsgDestroySetElem, 0, "probe",
                     {});
    // add_elements names kTableName; the set "probe" is never one of ours, so ENOENT either way.
    b.finish();
    const BatchResult r = nl.transact(b);
    const int err = r.failures.empty() ? 0 : r.failures.front().err;
    if (err == EPERM)
        throw Error(Error::Kind::kernel, err,
                    "nf_tables refused us: " + std::string(std::strerror(err)) +
                        " (CAP_NET_ADMIN is needed)");
    f.destroy_element = err == 0 || err == ENOENT;
    return f;
}

bool table_exists(Netlink& nl) {
    auto t = handles::make_table();
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, kTableName);
    const int err = nl.request(
        [&](char* buf, std::uint32_t seq) {
            nlmsghdr* nlh =
                nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET, NLM_F_ACK, seq);
            nftnl_table_nlmsg_build_payload(nlh, t.get());
            return nlh;
        },
        [](const nlmsghdr*) {});
    if (err == ENOENT) return false;
    if (err != 0)
        throw Error(Error::Kind::kernel, err,
                    "looking up table inet jitd: " + std::string(std::strerror(err)));
    return true;
}

void remove_table(Netlink& nl) {
    auto t = handles::make_table();
    nftnl_table_set_str(t.get(), NFTNL_TABLE_NAME, kTableName);
    Batch b(nl.next_seq());
    b.add(MessageTag::about("removal of table inet jitd"), 4096, [&](char* buf, std::uint32_t seq) {
        nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_DELTABLE, NFPROTO_INET, 0, seq);
        nftnl_table_nlmsg_build_payload(nlh, t.get());
        return nlh;
    });
    b.finish();
    const BatchResult r = nl.transact(b);
    if (r.failures.size() == 1 && r.failures.front().err == ENOENT && !r.overflow) return;
    tx::throw_failures(r, b);
}

}  // namespace jitd::nft::ops
