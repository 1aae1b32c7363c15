// One nf_tables transaction being built: BATCH_BEGIN, messages, BATCH_END in one buffer. Each
// message has its own sequence number and a tag that says what it was for, so that a kernel
// error (which carries the sequence number) can be traced back to the element or object.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nft/model.hpp"

namespace jitd::nft {

struct MessageTag {
    enum class Op : std::uint8_t { object, add_element, delete_element };
    Op op = Op::object;
    std::string what;               // "grant element 10.0.0.0/24 . tcp . 22", "set grant4_net"
    std::optional<ElementKey> key;  // for grant elements
    std::size_t index = 0;          // position in the caller's list (deletes)
    bool interval = false;          // the element went to an interval set

    static MessageTag about(std::string what) {
        MessageTag t;
        t.what = std::move(what);
        return t;
    }
};

class Batch {
  public:
    explicit Batch(std::uint32_t first_seq);

    // Appends one message: `fill` gets a buffer of `max_len` bytes and builds the message in
    // it (nftnl_nlmsg_build_hdr + payload) with the sequence number it is given.
    void add(MessageTag tag, std::size_t max_len,
             const std::function<nlmsghdr*(char* buf, std::uint32_t seq)>& fill);
    // Closes the batch: NLM_F_ACK on the last message (its ack says the batch is done) and
    // BATCH_END. No add() after this.
    void finish();

    const char* data() const { return buf_.data(); }
    std::size_t size() const { return buf_.size(); }
    std::size_t messages() const { return tags_.size(); }
    std::uint32_t begin_seq() const { return begin_seq_; }
    std::uint32_t last_seq() const { return begin_seq_ + static_cast<std::uint32_t>(tags_.size()); }
    std::uint32_t next_seq() const { return last_seq() + 2; }  // after BATCH_END
    // The tag of the message with this sequence number, nullptr for BEGIN/END or strangers.
    const MessageTag* tag(std::uint32_t seq) const;

  private:
    std::vector<char> buf_;
    std::vector<MessageTag> tags_;
    std::uint32_t begin_seq_;
    std::size_t last_offset_ = 0;
    bool finished_ = false;
};

}  // namespace jitd::nft
