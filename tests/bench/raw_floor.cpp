#include "tests/bench/raw_floor.hpp"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace jitd::bench {
namespace {

struct FreeSet {
    void operator()(nftnl_set* s) const { nftnl_set_free(s); }
};
struct FreeUdata {
    void operator()(nftnl_udata_buf* b) const { nftnl_udata_buf_free(b); }
};

// NFTNL_UDATA_SET_ELEM_COMMENT as nft writes it (libnftnl/udata.h does not name it).
constexpr std::uint8_t kElemComment = 0;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("raw floor: " + what + ": " + std::strerror(errno));
}

}  // namespace

RawFloor::RawFloor()
    : sock_(mnl_socket_open(NETLINK_NETFILTER)),
      tx_(MNL_SOCKET_BUFFER_SIZE),
      rx_(MNL_SOCKET_BUFFER_SIZE) {
    if (!sock_) fail("mnl_socket_open");
    if (mnl_socket_bind(sock_.get(), 0, MNL_SOCKET_AUTOPID) < 0) fail("mnl_socket_bind");
    portid_ = mnl_socket_get_portid(sock_.get());
    seq_ = static_cast<std::uint32_t>(time(nullptr));
}

void RawFloor::add_host4(std::uint32_t n, std::chrono::milliseconds timeout,
                         const std::string& comment) {
    add_hosts4(n, {comment}, timeout);
}

void RawFloor::add_hosts4(std::uint32_t first, const std::vector<std::string>& comments,
                          std::chrono::milliseconds timeout) {
    std::unique_ptr<nftnl_set, FreeSet> set(nftnl_set_alloc());
    if (!set) throw std::bad_alloc();
    nftnl_set_set_str(set.get(), NFTNL_SET_TABLE, "jitd");
    nftnl_set_set_str(set.get(), NFTNL_SET_NAME, "grant4_host");
    for (std::size_t i = 0; i < comments.size(); ++i) {
        // Key `ipv4_addr . inet_proto . inet_service`, each component padded to 4 bytes.
        const std::uint32_t addr = 0x0A000000u + first + static_cast<std::uint32_t>(i);
        const std::uint8_t key[12] = {static_cast<std::uint8_t>(addr >> 24),
                                      static_cast<std::uint8_t>(addr >> 16),
                                      static_cast<std::uint8_t>(addr >> 8),
                                      static_cast<std::uint8_t>(addr),
                                      6,
                                      0,
                                      0,
                                      0,  // tcp
                                      0,
                                      22,
                                      0,
                                      0};  // port 22
        std::unique_ptr<nftnl_udata_buf, FreeUdata> ud(nftnl_udata_buf_alloc(128));
        nftnl_set_elem* elem = nftnl_set_elem_alloc();
        if (!ud || !elem) {
            if (elem) nftnl_set_elem_free(elem);
            throw std::bad_alloc();
        }
        nftnl_udata_put_strz(ud.get(), kElemComment, comments[i].c_str());
        nftnl_set_elem_set(elem, NFTNL_SET_ELEM_KEY, key, sizeof key);
        nftnl_set_elem_set_u64(elem, NFTNL_SET_ELEM_TIMEOUT,
                               static_cast<std::uint64_t>(timeout.count()));
        nftnl_set_elem_set(elem, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(ud.get()),
                           nftnl_udata_buf_len(ud.get()));
        nftnl_set_elem_add(set.get(), elem);  // the set owns the element now
    }

    mnl_nlmsg_batch* batch = mnl_nlmsg_batch_start(tx_.data(), tx_.size());
    nftnl_batch_begin(static_cast<char*>(mnl_nlmsg_batch_current(batch)), seq_++);
    mnl_nlmsg_batch_next(batch);
    const std::uint32_t elem_seq = seq_++;
    nlmsghdr* nlh =
        nftnl_nlmsg_build_hdr(static_cast<char*>(mnl_nlmsg_batch_current(batch)),
                              NFT_MSG_NEWSETELEM, NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, elem_seq);
    nftnl_set_elems_nlmsg_build_payload(nlh, set.get());
    mnl_nlmsg_batch_next(batch);
    nftnl_batch_end(static_cast<char*>(mnl_nlmsg_batch_current(batch)), seq_++);
    mnl_nlmsg_batch_next(batch);
    const auto len = mnl_nlmsg_batch_size(batch);
    const bool sent = mnl_socket_sendto(sock_.get(), mnl_nlmsg_batch_head(batch), len) ==
                      static_cast<ssize_t>(len);
    mnl_nlmsg_batch_stop(batch);
    if (!sent) fail("sendto");

    // The element's ack (error 0) ends the transaction; a negative ack is the kernel's refusal.
    for (;;) {
        ssize_t got = mnl_socket_recvfrom(sock_.get(), rx_.data(), rx_.size());
        if (got < 0) fail("recvfrom");
        int rc = mnl_cb_run(rx_.data(), static_cast<std::size_t>(got), elem_seq, portid_, nullptr,
                            nullptr);
        if (rc < 0) fail("kernel refused element(s) from " + std::to_string(first));
        if (rc == MNL_CB_STOP) return;
    }
}

}  // namespace jitd::bench
