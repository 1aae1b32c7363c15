// The kernel comment format and grant ids.
#include <set>

#include <gtest/gtest.h>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/grant_id.hpp"

namespace jitd::agent {
namespace {

TEST(Comment, FormatsAndParsesBack) {
    GrantComment c{"g-5f2c9a01b2c3", "alice", wire::SysSeconds{std::chrono::seconds{1763900000}}};
    std::string text = format_comment(c);
    EXPECT_EQ(text, "jitd:g-5f2c9a01b2c3:alice:1763900000");
    auto back = parse_comment(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->id, c.id);
    EXPECT_EQ(back->user, c.user);
    EXPECT_EQ(back->start, c.start);
}

TEST(Comment, UserNamesWithDotsAndDashes) {
    auto c = parse_comment("jitd:g-000000000000:svc-backup.1:0");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user, "svc-backup.1");
}

TEST(Comment, RefusesAnythingElse) {
    for (const char* bad :
         {"", "jitd", "jitd:", "jitd:g-5f2c9a01b2c3:alice", "jitd:g-5f2c9a01b2c3::1763900000",
          "jitd:g-5f2c9a01b2c3:alice:", "jitd:g-5f2c9a01b2c3:alice:17x", "jitd:g-5f2c:alice:1",
          "jitd:G-5F2C9A01B2C3:alice:1", "jitd:g-5f2c9a01b2c3:alice:-5",
          "jitd:g-5f2c9a01b2c3:alice:1:extra", "nft:g-5f2c9a01b2c3:alice:1",
          "manual entry by ops"}) {
        EXPECT_FALSE(parse_comment(bad)) << bad;
    }
}

TEST(Comment, FitsTheKernelLimit) {
    GrantComment c{new_grant_id(), std::string(32, 'u'),
                   wire::SysSeconds{std::chrono::seconds{4102444800}}};
    EXPECT_LE(format_comment(c).size(), 127u);
}

// A supersede's comment carries the chain's start as one more numeric field.
TEST(Comment, ChainStartIsAnOptionalTrailingField) {
    const GrantComment c{"g-5f2c9a01b2c3", "alice", wire::SysSeconds{std::chrono::seconds{2000}}};
    const std::string text = format_comment(c, wire::SysSeconds{std::chrono::seconds{1000}});
    EXPECT_EQ(text, "jitd:g-5f2c9a01b2c3:alice:2000:1000");
    ASSERT_TRUE(parse_comment(text));
    EXPECT_EQ(parse_comment(text)->start, c.start);
    EXPECT_EQ(parse_comment_chain_start(text), wire::SysSeconds{std::chrono::seconds{1000}});
    EXPECT_EQ(format_comment(c, c.start), "jitd:g-5f2c9a01b2c3:alice:2000") << "no chain of one";
    EXPECT_FALSE(parse_comment_chain_start("jitd:g-5f2c9a01b2c3:alice:2000"));
    for (const char* bad :
         {"jitd:g-5f2c9a01b2c3:alice:2000:", "jitd:g-5f2c9a01b2c3:alice:2000:x",
          "jitd:g-5f2c9a01b2c3:alice:2000:3000", "jitd:g-5f2c9a01b2c3:alice:2:1:0"})
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
