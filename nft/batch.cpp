#include "nft/batch.hpp"

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include <stdexcept>

namespace jitd::nft {

Batch::Batch(std::uint32_t first_seq) : begin_seq_(first_seq) {
    buf_.resize(MNL_NLMSG_HDRLEN * 4);
    nlmsghdr* nlh = nftnl_batch_begin(buf_.data(), begin_seq_);
    buf_.resize(NLMSG_ALIGN(nlh->nlmsg_len));
}

void Batch::add(MessageTag tag, std::size_t max_len,
                const std::function<nlmsghdr*(char*, std::uint32_t)>& fill) {
    if (finished_) throw std::logic_error("Batch::add after finish");
    const std::size_t offset = buf_.size();
    buf_.resize(offset + max_len);
    const std::uint32_t seq = begin_seq_ + static_cast<std::uint32_t>(tags_.size()) + 1;
    nlmsghdr* nlh = fill(buf_.data() + offset, seq);
    // libmnl does not bound-check; a message that outgrew its room has already overrun it.
    if (nlh->nlmsg_len > max_len) throw std::logic_error("netlink message overflow");
    buf_.resize(offset + NLMSG_ALIGN(nlh->nlmsg_len));
    last_offset_ = offset;
    tags_.push_back(std::move(tag));
}

void Batch::finish() {
    if (finished_) return;
    if (!tags_.empty())
        reinterpret_cast<nlmsghdr*>(buf_.data() + last_offset_)->nlmsg_flags |= NLM_F_ACK;
    const std::size_t offset = buf_.size();
    buf_.resize(offset + MNL_NLMSG_HDRLEN * 4);
    nlmsghdr* nlh = nftnl_batch_end(buf_.data() + offset, last_seq() + 1);
    buf_.resize(offset + NLMSG_ALIGN(nlh->nlmsg_len));
    finished_ = true;
}

const MessageTag* Batch::tag(std::uint32_t seq) const {
    const std::uint32_t index = seq - begin_seq_ - 1;  // wraps for BEGIN and strangers
    return index < tags_.size() ? &tags_[index] : nullptr;
}

}  // namespace jitd::nft
