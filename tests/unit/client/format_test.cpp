// Human output: aligned tables, "ends in" text, CSV quoting.
#include <gtest/gtest.h>

#include <sstream>

#include "agent/client/csv.hpp"
#include "agent/client/grant_text.hpp"
#include "agent/client/text_table.hpp"
#include "agent/client/time_text.hpp"

namespace jitd::client {
namespace {

using std::chrono::seconds;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

wire::SysSeconds at(const char* iso) {
    return *wire::parse_iso8601(iso);
}

TEST(TextTable, ColumnsStartAtTheSameOffsetOnEveryLine) {
    TextTable t({"ID", "USER", "PORT"});
    t.add_row({"g-1", "alice", "22/tcp"});
    t.add_row({"g-0123456789ab", "bo", "3389/any"});
    const auto ls = lines(t.render());
    ASSERT_EQ(ls.size(), 3u);
    EXPECT_EQ(ls[0], "ID              USER   PORT");
    EXPECT_EQ(ls[1], "g-1             alice  22/tcp");
    EXPECT_EQ(ls[2], "g-0123456789ab  bo     3389/any");
}

TEST(TextTable, NoTrailingBlanksEvenWithEmptyLastCells) {
    TextTable t({"A", "REASON"});
    t.add_row({"x", ""});
    t.add_row({"longer", "why"});
    for (const auto& l : lines(t.render())) {
        ASSERT_FALSE(l.empty());
        EXPECT_NE(l.back(), ' ') << "'" << l << "'";
    }
}

TEST(TextTable, WidthCountsCharactersNotBytes) {
    TextTable t({"USER", "X"});
    t.add_row({"zoë", "1"});  // 4 bytes, 3 characters
    t.add_row({"bob", "2"});
    const auto ls = lines(t.render());
    EXPECT_EQ(ls[1], "zoë   1");
    EXPECT_EQ(ls[2], "bob   2");
    EXPECT_EQ(display_width("zoë"), 3u);
}

TEST(TextTable, ShortRowsArePaddedAndLongRowsRefused) {
    TextTable t({"A", "B", "C"});
    t.add_row({"1"});
    EXPECT_EQ(t.rows(), 1u);
    EXPECT_THROW(t.add_row({"1", "2", "3", "4"}), std::logic_error);
}

TEST(TextTable, ControlCharactersCannotBreakALine) {
    EXPECT_EQ(printable("a\nb\tc\x1b"), "a\\nb\\tc\\x1b");
    // Every cell goes through printable(), whoever filled it in.
    TextTable t({"A", "B"});
    t.add_row({"x\x1b[31m", "y\ny"});
    const std::string out = t.render();
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
    EXPECT_EQ(lines(out).size(), 2u) << out;
    EXPECT_EQ(lines(out)[1], "x\\x1b[31m  y\\ny");
}

TEST(TimeText, ApproximateDurationRoundsToWhatMatters) {
    EXPECT_EQ(approximate_duration(seconds{5}), "5s");
    EXPECT_EQ(approximate_duration(seconds{59}), "59s");
    EXPECT_EQ(approximate_duration(seconds{41 * 60 + 59}), "42m");
    EXPECT_EQ(approximate_duration(seconds{42 * 60 + 20}), "42m");
    EXPECT_EQ(approximate_duration(seconds{5400}), "1h30m");
    EXPECT_EQ(approximate_duration(seconds{3 * 3600 - 10}), "3h");
    EXPECT_EQ(approximate_duration(seconds{86400 + 2 * 3600 + 100}), "1d2h");
}

TEST(TimeText, EndsInWithTheClockTime) {
    const auto now = at("2026-11-23T13:21:00Z");
    EXPECT_EQ(ends_in_text(at("2026-11-23T14:03:00Z"), now), "ends in 42m (14:03 UTC)");
    EXPECT_EQ(ends_in_text(at("2026-11-23T13:21:05Z"), now), "ends in 5s (13:21 UTC)");
    // Another day shows the date.
    EXPECT_EQ(ends_in_text(at("2026-11-24T01:21:00Z"), now), "ends in 12h (2026-11-24 01:21 UTC)");
    EXPECT_EQ(ends_in_text(at("2026-11-23T13:20:00Z"), now), "ended (13:20 UTC)");
}

TEST(TimeText, TableTime) {
    EXPECT_EQ(table_time(at("2026-11-23T14:03:05Z")), "2026-11-23 14:03:05");
}

TEST(Csv, PlainFieldsStayAsTheyAre) {
    EXPECT_EQ(csv_field("alice"), "alice");
    EXPECT_EQ(csv_field(""), "");
    EXPECT_EQ(csv_field("2001:db8::1/128"), "2001:db8::1/128");
}

TEST(Csv, QuotesCommasQuotesAndLineBreaks) {
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
    EXPECT_EQ(csv_field("\""), "\"\"\"\"");
}

TEST(Csv, RecordsEndInCrLf) {
    EXPECT_EQ(csv_record({"a", "b,c", ""}), "a,\"b,c\",\r\n");
    EXPECT_EQ(csv_record({}), "\r\n");
}

TEST(GrantText, TableOfGrants) {
    wire::Grant g;
    g.id = "g-5f2c9a01b2c3";
    g.user = "alice";
    g.uid = 1001;
    g.port = 22;
    g.protocol = config::Protocol::tcp;
    g.source = "203.0.113.7/32";
    g.start = at("2026-11-23T13:03:00Z");
    g.end = at("2026-11-23T14:03:00Z");
    g.reason = "fix the build";
    wire::Grant h = g;
    h.id = "g-000000000002";
    h.user = "bob";
    h.port = 3389;
    h.protocol = config::Protocol::any;
    h.source = "10.0.0.0/8";
    h.reason = "";
    const auto ls = lines(grants_table({g, h}, at("2026-11-23T13:21:00Z")));
    ASSERT_EQ(ls.size(), 3u);
    EXPECT_EQ(ls[0],
              "ID              USER   PORT      SOURCE       ENDS                     REASON");
    EXPECT_EQ(
        ls[1],
        "g-5f2c9a01b2c3  alice  22/tcp    203.0.113.7  ends in 42m (14:03 UTC)  fix the build");
    EXPECT_EQ(ls[2], "g-000000000002  bob    3389/any  10.0.0.0/8   ends in 42m (14:03 UTC)");
}

TEST(GrantText, SourceTextDropsTheLengthOfHostsOnly) {
    EXPECT_EQ(source_text("203.0.113.7/32"), "203.0.113.7");
    EXPECT_EQ(source_text("2001:db8::7/128"), "2001:db8::7");
    EXPECT_EQ(source_text("2001:db8::/32"), "2001:db8::/32");
}

TEST(GrantText, StatusShowsPortsAndRole) {
    const auto st = nlohmann::json::parse(R"({"ok":true,"version":"0.1.0",
        "policy":"/etc/jitd/policy.yaml","since":"2026-11-23T12:00:00Z","grants":1,
        "user":"alice","role":"requester","require_reason":false,
        "ports":[{"port":22,"protocol":"tcp","max_duration":"3h","allowed_sources":"any",
                  "active_grants":1},
                 {"port":3389,"protocol":"any","max_duration":"1h",
                  "allowed_sources":["10.0.0.0/8","2001:db8::/32"],"active_grants":0}],
        "always_allow":["192.0.2.0/24"]})");
    const std::string text = status_text(st);
    EXPECT_NE(text.find("alice (requester)"), std::string::npos) << text;
    EXPECT_NE(text.find("1 grant active"), std::string::npos) << text;
    EXPECT_NE(text.find("3389  any       1h            10.0.0.0/8, 2001:db8::/32  0"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("always allowed: 192.0.2.0/24"), std::string::npos) << text;
    EXPECT_THROW(status_text(nlohmann::json::object()), nlohmann::json::exception);
    EXPECT_EQ(text.find("note:"), std::string::npos) << "no other table drops: no note";
}

TEST(GrantText, StatusNotesOtherTablesDroppingOnInput) {
    const auto st = nlohmann::json::parse(R"({"ok":true,"version":"0.1.0",
        "policy":"/etc/jitd/policy.yaml","since":"2026-11-23T12:00:00Z","grants":0,
        "user":"root","role":"admin","require_reason":false,"ports":[],"always_allow":[],
        "other_input_drop_chains":["inet filter input","ip fw in"]})");
    const std::string text = status_text(st);
    EXPECT_NE(text.find("note: chain inet filter input of another table drops"), std::string::npos)
        << text;
    EXPECT_NE(text.find("note: chain ip fw in "), std::string::npos) << text;
    EXPECT_EQ(text.find("journal record"), std::string::npos) << text;
}

TEST(GrantText, StatusWarnsOfJournalRecordsThatCouldNotBeWritten) {
    const auto st = nlohmann::json::parse(R"({"ok":true,"version":"0.1.0",
        "policy":"/etc/jitd/policy.yaml","since":"2026-11-23T12:00:00Z","grants":0,
        "user":"root","role":"admin","require_reason":false,"ports":[],"always_allow":[],
        "audit_dropped":3})");
    const std::string text = status_text(st);
    EXPECT_NE(text.find("warning: 3 journal records could not be written since jitd started"),
              std::string::npos)
        << text;
}

}  // namespace
}  // namespace jitd::client
