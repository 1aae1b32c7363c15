// The kernel comment format and grant ids.
#include <set>

#include <gtest/gtest.h>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/grant_id.hpp"

namespace jitd::agent {
namespace {

TEST(Comment, FormatsAndParsesBack) {
    GrantComment c{"g-5f2c9a01b2c3", 1001, wire::SysSeconds{std::chrono::seconds{1763900000}}};
    std::string text = format_comment(c);
    EXPECT_EQ(text, "jitd:g-5f2c9a01b2c3:1001:1763900000");
    auto back = parse_comment(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, c.id);
    EXPECT_EQ(back->uid, c.uid);
    EXPECT_EQ(back->start, c.start);
    EXPECT_FALSE(parse_legacy_comment(text)) << "the current format is never read as legacy";
}

TEST(Comment, EdgesOfTheNumbers) {
    auto c = parse_comment("jitd:g-000000000000:0:0");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->uid, 0u);
    auto big = parse_comment("jitd:g-000000000000:4294967294:9223372036854775807");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->uid, 4294967294u);
    EXPECT_EQ(big->start.time_since_epoch().count(), 9223372036854775807);
}

TEST(Comment, RefusesAnythingElse) {
    for (const char* bad : {"",
                            "jitd",
                            "jitd:",
                            "jitd:g-5f2c9a01b2c3:1001",
                            "jitd:g-5f2c9a01b2c3::1763900000",
                            "jitd:g-5f2c9a01b2c3:1001:",
                            "jitd:g-5f2c9a01b2c3:1001:17x",
                            "jitd:g-5f2c:1001:1",
                            "jitd:G-5F2C9A01B2C3:1001:1",
                            "jitd:g-5f2c9a01b2c3:1001:-5",
                            "jitd:g-5f2c9a01b2c3:-1:5",
                            "jitd:g-5f2c9a01b2c3:+1:5",
                            "jitd:g-5f2c9a01b2c3:01:5",
                            "jitd:g-5f2c9a01b2c3:1:05",
                            "jitd:g-5f2c9a01b2c3: 1:5",
                            "jitd:g-5f2c9a01b2c3:4294967295:5",
                            "jitd:g-5f2c9a01b2c3:4294967296:5",
                            "jitd:g-5f2c9a01b2c3:1:9223372036854775808",
                            "jitd:g-5f2c9a01b2c3:1:99999999999999999999",
                            "jitd:g-5f2c9a01b2c3:1001:1:extra",
                            "jitd:g-5f2c9a01b2c3:1001:1:2",
                            "jitd:g-5f2c9a01b2c3:alice:1",
                            "nft:g-5f2c9a01b2c3:1001:1",
                            "JITD:g-5f2c9a01b2c3:1001:1",
                            "manual entry by ops"}) {
        EXPECT_FALSE(parse_comment(bad)) << bad;
    }
    // An embedded NUL: the sv literal keeps it, and ends where the text does.
    using namespace std::string_view_literals;
    EXPECT_FALSE(parse_comment("jitd:g-5f2c9a01b2c3:1\0:5"sv));
}

TEST(Comment, PreviousReleaseFormatWithPortableNames) {
    auto c = parse_legacy_comment("jitd:g-000000000000:svc-backup.1_x:1763900000");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->id, "g-000000000000");
    EXPECT_EQ(c->user, "svc-backup.1_x");
    EXPECT_EQ(c->start.time_since_epoch().count(), 1763900000);
    for (const char* bad :
         {"jitd:g-000000000000:a\"b:1", "jitd:g-000000000000:a b:1", "jitd:g-000000000000:a:b:1",
          "jitd:g-000000000000:a}b:1", "jitd:g-000000000000:-rf:1",
          "jitd:g-000000000000:caf\xc3\xa9:1", "jitd:g-000000000000::1",
          "jitd:g-000000000000:alice:", "jitd:g-000000000000:alice:x", "jitd:g-0000:alice:1",
          "jitd:g-000000000000:alice", "other:g-000000000000:alice:1"}) {
        EXPECT_FALSE(parse_legacy_comment(bad)) << bad;
    }
}

TEST(Comment, ClaimsJitdOnlyWithThePrefix) {
    EXPECT_TRUE(claims_jitd("jitd:anything"));
    EXPECT_FALSE(claims_jitd("jitd"));
    EXPECT_FALSE(claims_jitd("added by hand"));
    EXPECT_FALSE(claims_jitd(""));
}

// Without a reason the comment holds no text from a user: its length is bounded whatever the
// name, with room left for one more numeric field.
TEST(Comment, FitsTheKernelLimitForAnyOwner) {
    GrantComment c{new_grant_id(), 4294967294u,
                   wire::SysSeconds{std::chrono::seconds{9223372036854775807}}};
    const std::string text =
        format_comment(c, wire::SysSeconds{std::chrono::seconds{9223372036854775806}});
    EXPECT_EQ(text.size(), kMaxNumericComment);
    EXPECT_LE(kMaxComment + 21, kMaxKernelComment);
    for (char ch : text)
        EXPECT_TRUE((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || ch == 'g' ||
                    ch == 'j' || ch == 'i' || ch == 't' || ch == 'd' || ch == ':' || ch == '-')
            << text;
}

// A supersede's comment carries the chain's start as one more numeric field.
TEST(Comment, ChainStartIsAnOptionalTrailingField) {
    const GrantComment c{"g-5f2c9a01b2c3", 1001, wire::SysSeconds{std::chrono::seconds{2000}}};
    const std::string text = format_comment(c, wire::SysSeconds{std::chrono::seconds{1000}});
    EXPECT_EQ(text, "jitd:g-5f2c9a01b2c3:1001:2000:1000");
    ASSERT_TRUE(parse_comment(text));
    EXPECT_EQ(parse_comment(text)->start, c.start);
    EXPECT_EQ(parse_comment_chain_start(text), wire::SysSeconds{std::chrono::seconds{1000}});
    EXPECT_EQ(format_comment(c, c.start), "jitd:g-5f2c9a01b2c3:1001:2000") << "no chain of one";
    EXPECT_FALSE(parse_comment_chain_start("jitd:g-5f2c9a01b2c3:1001:2000"));
    for (const char* bad : {"jitd:g-5f2c9a01b2c3:1001:2000:", "jitd:g-5f2c9a01b2c3:1001:2000:x",
                            "jitd:g-5f2c9a01b2c3:1001:2000:3000", "jitd:g-5f2c9a01b2c3:1001:2:1:0"})
        EXPECT_FALSE(parse_comment(bad)) << bad;
}

TEST(GrantId, FormatIsGDashTwelveHex) {
    for (int i = 0; i < 100; ++i) {
        std::string id = new_grant_id();
        EXPECT_EQ(id.size(), 14u);
        EXPECT_TRUE(is_grant_id(id)) << id;
    }
    EXPECT_FALSE(is_grant_id("g-5f2c9a"));
    EXPECT_FALSE(is_grant_id("x-5f2c9a01b2c3"));
    EXPECT_FALSE(is_grant_id("g-5f2c9a01b2cz"));
}

TEST(GrantId, BitsAreTheHexDigits) {
    EXPECT_EQ(grant_id_bits("g-000000000001"), 1u);
    EXPECT_EQ(grant_id_bits("g-ffffffffffff"), 0xffffffffffffu);
    EXPECT_EQ(grant_id_bits("g-5f2c9a01b2c3"), 0x5f2c9a01b2c3u);
    EXPECT_FALSE(grant_id_bits("g-5f2c9a01b2cg"));
    EXPECT_FALSE(grant_id_bits(""));
}

TEST(GrantId, IdsDoNotRepeat) {
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i) seen.insert(new_grant_id());
    EXPECT_EQ(seen.size(), 10000u);
}

}  // namespace
}  // namespace jitd::agent
