#include <gtest/gtest.h>

#include "config/duration.hpp"

namespace jitd::config {
namespace {

using std::chrono::seconds;

seconds parsed(std::string_view text) {
    const auto p = parse_duration(text);
    EXPECT_TRUE(p) << text << ": " << p.error;
    return p.value;
}

TEST(Duration, ParsesHumanForm) {
    EXPECT_EQ(parsed("90s"), seconds{90});
    EXPECT_EQ(parsed("15m"), seconds{900});
    EXPECT_EQ(parsed("3h"), seconds{10800});
    EXPECT_EQ(parsed("1h30m"), seconds{5400});
    EXPECT_EQ(parsed("2d"), seconds{172800});
    EXPECT_EQ(parsed("1d2h3m4s"), seconds{86400 + 7200 + 180 + 4});
    EXPECT_EQ(parsed("1s"), seconds{1});
    EXPECT_EQ(parsed("1h0m"), seconds{3600});
    EXPECT_EQ(parsed("120m"), seconds{7200});
}

TEST(Duration, ParsesIso8601) {
    EXPECT_EQ(parsed("PT3H"), seconds{10800});
    EXPECT_EQ(parsed("PT1H30M"), seconds{5400});
    EXPECT_EQ(parsed("P1D"), seconds{86400});
    EXPECT_EQ(parsed("P1DT2H"), seconds{86400 + 7200});
    EXPECT_EQ(parsed("PT90S"), seconds{90});
    EXPECT_EQ(parsed("PT15M"), seconds{900});
    EXPECT_EQ(parsed("P7D"), seconds{7 * 86400});
    EXPECT_EQ(parsed("P1DT1H1M1S"), seconds{90061});
}

TEST(Duration, FormatsTheHumanWay) {
    EXPECT_EQ(format_duration(seconds{5400}), "1h30m");
    EXPECT_EQ(format_duration(seconds{90}), "1m30s");
    EXPECT_EQ(format_duration(seconds{86400}), "1d");
    EXPECT_EQ(format_duration(seconds{10800}), "3h");
    EXPECT_EQ(format_duration(seconds{1}), "1s");
    EXPECT_EQ(format_duration(seconds{604800}), "7d");
    EXPECT_EQ(format_duration(seconds{90061}), "1d1h1m1s");
    EXPECT_EQ(format_duration(seconds{86401}), "1d1s");
    EXPECT_EQ(format_duration(seconds{0}), "0s");
    EXPECT_EQ(format_duration(seconds{-90}), "-1m30s");
}

TEST(Duration, RoundTrips) {
    // Every value in the first two days, then a sparse walk up to a year.
    for (long s = 1; s <= 2L * 86400; ++s) {
        const std::string text = format_duration(seconds{s});
        const auto back = parse_duration(text);
        ASSERT_TRUE(back) << s << " -> " << text << ": " << back.error;
        ASSERT_EQ(back.value.count(), s) << text;
    }
    for (long s = 2L * 86400; s <= 365L * 86400; s += 7919) {
        ASSERT_EQ(parse_duration(format_duration(seconds{s})).value.count(), s);
    }
    // And text -> seconds -> text normalises.
    EXPECT_EQ(format_duration(parsed("PT1H30M")), "1h30m");
    EXPECT_EQ(format_duration(parsed("90m")), "1h30m");
    EXPECT_EQ(format_duration(parsed("P1DT0H")), "1d");
}

struct Bad {
    const char* text;
    const char* fragment;
};

TEST(Duration, RefusesWithAReason) {
    const Bad cases[] = {
        {"", "empty duration"},
        {"0s", "greater than zero"},
        {"0h0m", "greater than zero"},
        {"PT0S", "greater than zero"},
        {"90", "missing unit after 90"},
        {"1h30", "missing unit"},
        {"-5m", "negative"},
        {"P-1D", "negative"},
        {"1.5h", "fractions"},
        {"PT1.5H", "fractions"},
        {"30m1h", "out of order"},
        {"1h1h", "repeated"},
        {"3x", "unknown unit 'x'"},
        {"3H", "unknown unit 'H'"},
        {"3w", "unknown unit 'w'"},
        {"h", "expected a number"},
        {"soon", "expected a number"},
        {" 1h", "expected a number"},
        {"1h ", "expected a number"},
        {"1h 30m", "expected a number"},
        {"P", "no components"},
        {"PT", "empty time part"},
        {"P1M", "years, months and weeks"},
        {"P1Y", "years, months and weeks"},
        {"P2W", "years, months and weeks"},
        {"P1H", "go after 'T'"},
        {"PT1D", "unknown unit 'D'"},
        {"pt1h", "expected a number"},
        {"99999999999999999999s", "too large"},
        {"9999999999999999d", "too large"},
        {"106751991167300d999999h", "too large"},
    };
    for (const auto& c : cases) {
        const auto p = parse_duration(c.text);
        EXPECT_FALSE(p) << "'" << c.text << "' was accepted as " << p.value.count() << "s";
        EXPECT_NE(p.error.find(c.fragment), std::string::npos)
            << "'" << c.text << "': " << p.error << " (expected: " << c.fragment << ")";
        EXPECT_NE(p.error.find(std::string("'") + c.text + "'"), std::string::npos)
            << "error should quote the text: " << p.error;
    }
}

}  // namespace
}  // namespace jitd::config
