// The requester's reason inside the kernel comment: encoded into a safe alphabet, cut to fit
// at a character boundary and marked, and read back only in exactly the written form.
#include <gtest/gtest.h>

#include <string>

#include "agent/daemon/comment.hpp"

namespace jitd::agent {
namespace {

const wire::SysSeconds kStart{std::chrono::seconds{1763900000}};

GrantComment with_reason(std::string reason) {
    return GrantComment{"g-5f2c9a01b2c3", 1001, kStart, std::move(reason), false};
}

bool safe_alphabet(std::string_view text) {
    for (char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') ||
                        std::string_view(".:_~%+-=").find(c) != std::string_view::npos;
        if (!ok) return false;
    }
    return true;
}

TEST(CommentReason, IsEncodedAndReadBack) {
    const std::string reason = "INC-4521: restart nginx (\"urgent\") f\xc3\xbcr M\xc3\xbcller";
    const std::string text = format_comment(with_reason(reason));
    EXPECT_EQ(text,
              "jitd:g-5f2c9a01b2c3:1001:1763900000:r=INC-4521%3A+restart+nginx+%28%22urgent%22%29"
              "+f%C3%BCr+M%C3%BCller");
    auto back = parse_comment(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(back->reason, reason);
    EXPECT_FALSE(back->reason_cut);
    EXPECT_EQ(back->start, kStart);
    EXPECT_FALSE(parse_legacy_comment(text));
}

// `nft list ruleset` prints the comment in double quotes: nothing in a reason may end the
// string or add a statement when that output is loaded back.
TEST(CommentReason, NeverBringsQuotesOrSyntaxIntoTheComment) {
    const std::string text =
        format_comment(with_reason("x\" ; flush ruleset ; comment \"y {} \\ ' # $ ` \xe2\x80\x9d"));
    EXPECT_TRUE(safe_alphabet(text)) << text;
    ASSERT_TRUE(parse_comment(text));
}

TEST(CommentReason, ALongReasonIsCutAtACharacterAndMarked) {
    // 2-byte characters: each is 6 encoded bytes, so the cut must fall between two of them.
    std::string reason;
    for (int i = 0; i < 256; ++i) reason += "\xc3\xa9";
    const GrantComment c = with_reason(reason);
    // The longest numbers leave the least room.
    const GrantComment big{"g-ffffffffffff", 4294967294u,
                           wire::SysSeconds{std::chrono::seconds{9223372036854775807}}, reason,
                           false};
    for (const std::string& text :
         {format_comment(c),
          format_comment(big, wire::SysSeconds{std::chrono::seconds{9223372036854775806}})}) {
        SCOPED_TRACE(text);
        EXPECT_LE(text.size(), kMaxComment);
        EXPECT_NE(text.find(kReasonCut), std::string::npos);
        auto back = parse_comment(text);
        ASSERT_TRUE(back);
        EXPECT_TRUE(back->reason_cut);
        EXPECT_FALSE(back->reason.empty());
        EXPECT_EQ(back->reason.size() % 2, 0u) << "whole characters only";
        EXPECT_EQ(back->reason, reason.substr(0, back->reason.size()));
    }
    // Room for 21 more bytes stays free whatever the reason.
    EXPECT_LE(kMaxComment + 21, kMaxKernelComment);
}

TEST(CommentReason, ACutReasonPrintsBackTheSame) {
    const std::string text = "jitd:g-5f2c9a01b2c3:1001:1763900000:1763800000:r~first+part";
    auto back = parse_comment(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->reason, "first part");
    EXPECT_TRUE(back->reason_cut);
    EXPECT_EQ(parse_comment_chain_start(text), wire::SysSeconds{std::chrono::seconds{1763800000}});
    EXPECT_EQ(format_comment(*back, parse_comment_chain_start(text)), text);
    // Cut to nothing: still a cut reason.
    auto empty = parse_comment("jitd:g-5f2c9a01b2c3:1001:1763900000:r~");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->reason_cut);
    EXPECT_EQ(empty->reason, "");
}

TEST(CommentReason, NoReasonNoField) {
    EXPECT_EQ(format_comment(with_reason("")), "jitd:g-5f2c9a01b2c3:1001:1763900000");
    // A byte the request parser never lets through is left out, not written.
    EXPECT_EQ(format_comment(with_reason("a\nb\xff")), "jitd:g-5f2c9a01b2c3:1001:1763900000:r=ab");
}

TEST(CommentReason, RefusesAnyOtherSpelling) {
    const std::string base = "jitd:g-5f2c9a01b2c3:1001:1763900000";
    for (const char* bad : {":r=",           // a whole reason is never empty
                            ":r",            // no kind
                            ":rx",           // another kind
                            ":r=a b",        // a space is '+'
                            ":r=%20",        // ... not %20
                            ":r=%41",        // 'A' is written as itself
                            ":r=%c3%a9",     // upper-case hex only
                            ":r=%C3",        // a cut UTF-8 sequence
                            ":r=%FF",        // not UTF-8
                            ":r=%C0%80",     // overlong
                            ":r=%ED%A0%80",  // a surrogate
                            ":r=%0A",        // a control character
                            ":r=%7F",        // DEL
                            ":r=%C2%85",     // a C1 control
                            ":r=%2",         // a cut escape
                            ":r=a:1",        // a colon is %3A
                            ":r=\"",         // never a quote
                            ":r=a:r=b"}) {
        EXPECT_FALSE(parse_comment(base + bad)) << bad;
    }
    // The reason comes last: never before the chain start.
    EXPECT_FALSE(parse_comment("jitd:g-5f2c9a01b2c3:1001:2000:r=a:1000"));
    // Nor longer than format_comment ever writes.
    EXPECT_FALSE(parse_comment(base + ":r=" + std::string(kMaxComment, 'a')));
}

}  // namespace
}  // namespace jitd::agent
