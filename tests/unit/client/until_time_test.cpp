// `open --until`: the forms, the local clock with fixed zones (UTC and Europe/Madrid, DST days
// included), and the refusals.
#include "agent/client/until_time.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <optional>
#include <string>

namespace jitd::client {
namespace {

using namespace std::chrono_literals;

wire::SysSeconds at_iso(const char* iso) {
    const auto t = wire::parse_iso8601(iso);
    EXPECT_TRUE(t) << iso;
    return t.value_or(wire::SysSeconds{});
}

std::chrono::seconds utc_offset(wire::SysSeconds) {
    return 0s;
}

// Sets $TZ for the test and puts the old value back.
class ZoneGuard {
  public:
    explicit ZoneGuard(const char* zone) {
        if (const char* old = getenv("TZ")) old_ = old;
        setenv("TZ", zone, 1);
        tzset();
    }
    ~ZoneGuard() {
        if (old_)
            setenv("TZ", old_->c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    ZoneGuard(const ZoneGuard&) = delete;
    ZoneGuard& operator=(const ZoneGuard&) = delete;

  private:
    std::optional<std::string> old_;
};

std::string until_in(const char* zone, const char* text, const char* now) {
    const ZoneGuard tz(zone);
    const auto r = parse_until(text, at_iso(now));
    return r ? wire::format_iso8601(r.value) : "error: " + r.error;
}

TEST(UntilTime, ClockTimeTodayOrTomorrowInUtc) {
    const auto now = at_iso("2026-12-02T10:00:00Z");
    auto r = parse_until("17:00", now, utc_offset);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(wire::format_iso8601(r.value), "2026-12-02T17:00:00Z");
    r = parse_until("09:00", now, utc_offset);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(wire::format_iso8601(r.value), "2026-12-03T09:00:00Z");
    r = parse_until("10:00", now, utc_offset);  // now is not after now: tomorrow
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(wire::format_iso8601(r.value), "2026-12-03T10:00:00Z");
    r = parse_until("10:00:01", now, utc_offset);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(wire::format_iso8601(r.value), "2026-12-02T10:00:01Z");
}

TEST(UntilTime, ClockTimeUsesTheProcessZone) {
    EXPECT_EQ(until_in("UTC", "17:00", "2026-12-02T10:00:00Z"), "2026-12-02T17:00:00Z");
    // Madrid in winter is UTC+1: 11:00 there.
    EXPECT_EQ(until_in("Europe/Madrid", "17:00", "2026-12-02T10:00:00Z"), "2026-12-02T16:00:00Z");
    EXPECT_EQ(until_in("Europe/Madrid", "10:30", "2026-12-02T10:00:00Z"), "2026-12-03T09:30:00Z");
    // 00:30 on 3 December in Madrid while UTC is still on the 2nd: "today" is Madrid's.
    EXPECT_EQ(until_in("Europe/Madrid", "01:00", "2026-12-02T23:30:00Z"), "2026-12-03T00:00:00Z");
    EXPECT_EQ(until_in("Europe/Madrid", "00:15", "2026-12-02T23:30:00Z"), "2026-12-03T23:15:00Z");
    // Summer: UTC+2.
    EXPECT_EQ(until_in("Europe/Madrid", "17:00", "2026-07-01T10:00:00Z"), "2026-07-01T15:00:00Z");
}

TEST(UntilTime, SpringForwardDayInMadrid) {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST at_iso 01:00 UTC. Now is 01:30 CET.
    const char* now = "2026-03-29T00:30:00Z";
    EXPECT_EQ(until_in("Europe/Madrid", "03:30", now), "2026-03-29T01:30:00Z");
    EXPECT_EQ(until_in("Europe/Madrid", "17:00", now), "2026-03-29T15:00:00Z");
    EXPECT_EQ(until_in("Europe/Madrid", "01:00", now), "2026-03-29T23:00:00Z");  // tomorrow, CEST
    const std::string skipped = until_in("Europe/Madrid", "02:30", now);
    EXPECT_NE(skipped.find("error: '02:30' does not exist"), std::string::npos) << skipped;
    EXPECT_NE(skipped.find("daylight saving"), std::string::npos) << skipped;
    // The day before, the same clock time is simply tomorrow's (CEST, UTC+2).
    EXPECT_EQ(until_in("Europe/Madrid", "17:00", "2026-03-28T12:00:00Z"), "2026-03-28T16:00:00Z");
}

TEST(UntilTime, FallBackDayInMadrid) {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET at_iso 01:00 UTC; 02:30 happens twice.
    EXPECT_EQ(until_in("Europe/Madrid", "02:30", "2026-10-24T23:00:00Z"), "2026-10-25T00:30:00Z");
    // Between the two: the second 02:30 is still ahead.
    EXPECT_EQ(until_in("Europe/Madrid", "02:30", "2026-10-25T00:45:00Z"), "2026-10-25T01:30:00Z");
    // After both: tomorrow's.
    EXPECT_EQ(until_in("Europe/Madrid", "02:30", "2026-10-25T01:45:00Z"), "2026-10-26T01:30:00Z");
    EXPECT_EQ(until_in("Europe/Madrid", "17:00", "2026-10-25T00:00:00Z"), "2026-10-25T16:00:00Z");
}

TEST(UntilTime, AbsoluteTimes) {
    const auto now = at_iso("2026-12-02T10:00:00Z");
    const auto iso = [&](const char* text) {
        const auto r = parse_until(text, now, utc_offset);
        return r ? wire::format_iso8601(r.value) : "error: " + r.error;
    };
    EXPECT_EQ(iso("2026-12-02T17:00Z"), "2026-12-02T17:00:00Z");
    EXPECT_EQ(iso("2026-12-02T17:00:30Z"), "2026-12-02T17:00:30Z");
    EXPECT_EQ(iso("2026-12-02T17:00+01:00"), "2026-12-02T16:00:00Z");
    EXPECT_EQ(iso("2026-12-02T17:00:30-05:30"), "2026-12-02T22:30:30Z");
    EXPECT_EQ(iso("2026-12-03T00:30+02:00"), "2026-12-02T22:30:00Z");
    // The zone of the process plays no part in an absolute time.
    EXPECT_EQ(until_in("Europe/Madrid", "2026-12-02T17:00Z", "2026-12-02T10:00:00Z"),
              "2026-12-02T17:00:00Z");
}

TEST(UntilTime, DurationsFromNow) {
    const auto now = at_iso("2026-12-02T10:00:00Z");
    auto r = parse_until("+90m", now, utc_offset);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.value - now, 5400s);
    r = parse_until("+1h30m", now, utc_offset);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.value - now, 5400s);
    r = parse_until("+PT2H", now, utc_offset);
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.value - now, 7200s);
}

TEST(UntilTime, RefusesWithASentence) {
    const auto now = at_iso("2026-12-02T10:00:00Z");
    const auto error_of = [&](const char* text) {
        const auto r = parse_until(text, now, utc_offset);
        EXPECT_FALSE(r) << text << " gave " << wire::format_iso8601(r.value);
        return r.error;
    };
    EXPECT_NE(error_of("2026-12-02T09:59Z").find("is in the past"), std::string::npos);
    EXPECT_NE(error_of("2026-12-02T10:00:00Z").find("is in the past"), std::string::npos);
    EXPECT_NE(error_of("90m").find("write +90m"), std::string::npos);
    for (const char* bad : {"",
                            "+",
                            "+0s",
                            "+-5m",
                            "+5",
                            "17",
                            "17:0",
                            "24:00",
                            "23:60",
                            "17:00:60",
                            "7:00",
                            "17:00Z",
                            "2026-02-30T10:00Z",
                            "2026-12-02T17:00",
                            "2026-12-02 17:00Z",
                            "2026-12-02t17:00Z",
                            "2026-12-02T17:00z",
                            "2026-12-02T17:00+1:00",
                            "2026-12-02T17:00+0100",
                            "2026-12-02T17:00+24:00",
                            "tomorrow",
                            "17:00 ",
                            " 17:00",
                            "2026-12-02T17:00Z\n"}) {
        const std::string e = error_of(bad);
        EXPECT_FALSE(e.empty()) << bad;
    }
    EXPECT_NE(error_of("soon").find("use HH:MM"), std::string::npos);
}

TEST(UntilTime, DurationUntilIsWholeSecondsAndNeverNegative) {
    const auto now = at_iso("2026-12-02T10:00:00Z");
    EXPECT_EQ(duration_until(now + 120s, now), 120s);
    EXPECT_EQ(duration_until(now - 5s, now), 0s);
}

}  // namespace
}  // namespace jitd::client
