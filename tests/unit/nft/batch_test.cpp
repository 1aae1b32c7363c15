#include "nft/batch.hpp"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <vector>

namespace jitd::nft {
namespace {

std::vector<const nlmsghdr*> messages(const Batch& b) {
    std::vector<const nlmsghdr*> out;
    int left = static_cast<int>(b.size());
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(b.data()); mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left))
        out.push_back(nlh);
    EXPECT_EQ(left, 0) << "no trailing bytes";
    return out;
}

Batch three_messages() {
    Batch b(1000);
    for (const char* what : {"first", "second", "third"})
        b.add(MessageTag::about(what), 256, [](char* buf, std::uint32_t seq) {
            return nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, NFPROTO_INET, NLM_F_CREATE, seq);
        });
    b.finish();
    return b;
}

TEST(Batch, FramesMessagesWithBeginAndEnd) {
    const Batch b = three_messages();
    const auto msgs = messages(b);
    ASSERT_EQ(msgs.size(), 5u);
    EXPECT_EQ(msgs.front()->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
    EXPECT_EQ(msgs.back()->nlmsg_type, NFNL_MSG_BATCH_END);
    for (std::uint32_t i = 0; i < msgs.size(); ++i) EXPECT_EQ(msgs[i]->nlmsg_seq, 1000 + i);
    EXPECT_EQ(b.begin_seq(), 1000u);
    EXPECT_EQ(b.last_seq(), 1003u);
    EXPECT_EQ(b.next_seq(), 1005u);
}

TEST(Batch, OnlyTheLastMessageAsksForAnAck) {
    const Batch b = three_messages();
    const auto msgs = messages(b);
    EXPECT_FALSE(msgs[1]->nlmsg_flags & NLM_F_ACK);
    EXPECT_FALSE(msgs[2]->nlmsg_flags & NLM_F_ACK);
    EXPECT_TRUE(msgs[3]->nlmsg_flags & NLM_F_ACK);
    EXPECT_TRUE(msgs[3]->nlmsg_flags & NLM_F_CREATE);
}

TEST(Batch, SequenceNumbersMapBackToTags) {
    const Batch b = three_messages();
    ASSERT_NE(b.tag(1002), nullptr);
    EXPECT_EQ(b.tag(1002)->what, "second");
    EXPECT_EQ(b.tag(1003)->what, "third");
    EXPECT_EQ(b.tag(1000), nullptr) << "BATCH_BEGIN";
    EXPECT_EQ(b.tag(1004), nullptr) << "BATCH_END";
    EXPECT_EQ(b.tag(999), nullptr);
}

TEST(Batch, SequenceNumbersMayWrap) {
    Batch b(0xfffffffeu);
    b.add(MessageTag::about("wrapped"), 256, [](char* buf, std::uint32_t seq) {
        return nftnl_nlmsg_build_hdr(buf, NFT_MSG_DELSETELEM, NFPROTO_INET, 0, seq);
    });
    b.finish();
    EXPECT_EQ(b.last_seq(), 0xffffffffu);
    ASSERT_NE(b.tag(0xffffffffu), nullptr);
    EXPECT_EQ(b.tag(0xffffffffu)->what, "wrapped");
}

}  // namespace
}  // namespace jitd::nft
