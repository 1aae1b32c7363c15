// The token bucket for refusal entries and the bounding of journal values (issue 11, finding 2).
#include <gtest/gtest.h>

#include "agent/daemon/audit_value.hpp"
#include "agent/daemon/deny_limiter.hpp"

namespace jitd::agent {
namespace {

using namespace std::chrono_literals;
using Clock = DenyLimiter::Clock;

const wire::SysSeconds kWall{std::chrono::seconds{1800000000}};

TEST(DenyLimiter, BurstThenOnePerRefillPerUid) {
    DenyLimiter l(3, 1s);
    const Clock::time_point t0{};
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(l.admit(1000, t0, kWall)) << i;
    EXPECT_FALSE(l.admit(1000, t0, kWall));
    EXPECT_FALSE(l.admit(1000, t0 + 500ms, kWall + 1s));
    EXPECT_TRUE(l.admit(1001, t0, kWall)) << "another uid has its own bucket";
    EXPECT_TRUE(l.admit(1000, t0 + 1s, kWall + 2s)) << "refilled one";
    EXPECT_FALSE(l.admit(1000, t0 + 1s, kWall + 2s));

    auto held = l.take_suppressed(1000);
    EXPECT_EQ(held.uid, 1000u);
    EXPECT_EQ(held.count, 3u);
    EXPECT_EQ(held.first, kWall);
    EXPECT_EQ(held.last, kWall + 2s);
    EXPECT_EQ(l.take_suppressed(1000).count, 0u) << "taken once";
}

TEST(DenyLimiter, TakeAllSummarisesAndForgetsQuietUids) {
    DenyLimiter l(1, 1s);
    const Clock::time_point t0{};
    EXPECT_TRUE(l.admit(7, t0, kWall));
    EXPECT_FALSE(l.admit(7, t0, kWall));
    EXPECT_FALSE(l.admit(7, t0, kWall));
    EXPECT_TRUE(l.admit(8, t0, kWall));
    auto all = l.take_suppressed(t0 + 10s);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].uid, 7u);
    EXPECT_EQ(all[0].count, 2u);
    EXPECT_TRUE(l.take_suppressed(t0 + 10s).empty());
    EXPECT_TRUE(l.admit(7, t0 + 10s, kWall)) << "a forgotten uid starts with a full bucket";
}

TEST(AuditValue, EscapesControlsAndCutsAtUtf8Boundaries) {
    auto b = bounded_value(std::string("a\0b\nc\x7f", 6), 64);
    EXPECT_EQ(b.text, "a\\x00b\\x0ac\\x7f");
    EXPECT_FALSE(b.truncated);
    auto cut = bounded_value(std::string(100, 'x'), 64);
    EXPECT_EQ(cut.text, std::string(64, 'x'));
    EXPECT_TRUE(cut.truncated);
    // "é" is two bytes: never split.
    auto utf8 = bounded_value("ab\xc3\xa9", 3);
    EXPECT_EQ(utf8.text, "ab");
    EXPECT_TRUE(utf8.truncated);
    // An escape is never split either.
    auto esc = bounded_value(std::string("ab\x01", 3), 4);
    EXPECT_EQ(esc.text, "ab");
    EXPECT_TRUE(esc.truncated);
    EXPECT_EQ(bounded_value("", 64).text, "");
    // Text that fits and needs no escape comes back as it is, UTF-8 and all.
    auto fits = bounded_value("ab\xc3\xa9", 4);
    EXPECT_EQ(fits.text, "ab\xc3\xa9");
    EXPECT_FALSE(fits.truncated);
    EXPECT_EQ(bounded_value("x\x1by", 64).text, "x\\x1by");
}

}  // namespace
}  // namespace jitd::agent
