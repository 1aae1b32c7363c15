// Audit output from given events (no journal): columns, CSV, JSON, the per-port summary.
#include "agent/client/audit_report.hpp"

#include <gtest/gtest.h>

namespace jitd::client {
namespace {

AuditRecord ev(const char* time, const char* event, const char* user, const char* port) {
    AuditRecord e;
    e.time = *wire::parse_iso8601(time);
    e.event = event;
    e.user = user;
    e.port = port;
    e.protocol = "tcp";
    e.source = "198.51.100.2/32";
    e.grant_id = "g-000000000001";
    e.end = "2026-11-23T15:00:00Z";
    return e;
}

TEST(AuditReport, CsvHasAHeaderAndQuotesWhatNeedsIt) {
    auto e = ev("2026-11-23T14:00:00Z", "grant", "alice", "22");
    e.reason = "fix, \"now\"";
    const std::string csv = audit_csv({e});
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
              "time,event,user,port,protocol,source,grant_id,end,reason,cause,error,message,trust");
    EXPECT_NE(csv.find("2026-11-23T14:00:00Z,grant,alice,22,tcp,198.51.100.2/32,g-000000000001,"
                       "2026-11-23T15:00:00Z,\"fix, \"\"now\"\"\",,,,root\r\n"),
              std::string::npos)
        << csv;
}

// The requester's reason and what ended the grant are two columns (B4), in every format.
TEST(AuditReport, ReasonAndCauseAreSeparateColumns) {
    auto e = ev("2026-11-23T14:30:00Z", "revoke", "alice", "22");
    e.reason = "INC-4521";
    e.cause = "requested";
    const std::string csv = audit_csv({e});
    EXPECT_NE(csv.find(",2026-11-23T15:00:00Z,INC-4521,requested,,,root\r\n"), std::string::npos)
        << csv;
    const auto j = audit_json({e});
    EXPECT_EQ(j[0]["reason"], "INC-4521");
    EXPECT_EQ(j[0]["cause"], "requested");
    const std::string t = audit_table({e});
    const auto header = t.substr(0, t.find('\n'));
    ASSERT_NE(header.find("REASON"), std::string::npos) << t;
    const auto cause = header.find("CAUSE");
    ASSERT_NE(cause, std::string::npos) << t;
    EXPECT_GT(cause, header.find("REASON")) << t;
    EXPECT_LT(cause, header.find("ERROR")) << t;
    EXPECT_NE(t.find("INC-4521  requested"), std::string::npos) << t;
}

TEST(AuditReport, JsonIsAnArrayWithNumericPorts) {
    auto a = ev("2026-11-23T14:00:00Z", "grant", "alice", "22");
    auto b = ev("2026-11-23T14:01:00Z", "start", "", "");
    const auto j = audit_json({a, b});
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["port"], 22);
    EXPECT_EQ(j[0]["user"], "alice");
    EXPECT_EQ(j[0]["time"], "2026-11-23T14:00:00Z");
    EXPECT_TRUE(j[1]["port"].is_null());
    EXPECT_EQ(j[1]["event"], "start");
}

TEST(AuditReport, SummaryCountsGrantsPerPortAndKeepsTheLast) {
    const auto s = summarize_ports({
        ev("2026-11-23T10:00:00Z", "grant", "alice", "22"),
        ev("2026-11-23T10:05:00Z", "deny", "mallory", "22"),
        ev("2026-11-23T11:00:00Z", "grant", "bob", "3389"),
        ev("2026-11-23T12:00:00Z", "grant", "carol", "22"),
        ev("2026-11-23T12:30:00Z", "expire", "carol", "22"),
        ev("2026-11-23T12:40:00Z", "deny", "dave", "5985"),
    });
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].port, "22");  // numeric order, not text order
    EXPECT_EQ(s[0].grants, 2u);
    EXPECT_EQ(s[0].last_access, "2026-11-23T12:00:00Z");
    EXPECT_EQ(s[0].last_user, "carol");
    EXPECT_EQ(s[1].port, "3389");
    EXPECT_EQ(s[1].grants, 1u);
    EXPECT_EQ(s[2].port, "5985");
    EXPECT_EQ(s[2].grants, 0u);
    EXPECT_EQ(s[2].last_access, "");
    const std::string t = port_summary_table(s);
    EXPECT_NE(t.find("22    2       2026-11-23 12:00:00  carol"), std::string::npos) << t;
    EXPECT_NE(t.find("5985  0       -                    -"), std::string::npos) << t;
}

TEST(AuditReport, TableShowsOneRowPerEventAndDashesForMissingFields) {
    auto a = ev("2026-11-23T14:00:00Z", "grant", "alice", "22");
    AuditRecord start;
    start.time = *wire::parse_iso8601("2026-11-23T13:00:00Z");
    start.event = "start";
    const std::string t = audit_table({start, a});
    EXPECT_NE(t.find("TIME (UTC)"), std::string::npos);
    EXPECT_NE(t.find("2026-11-23 13:00:00  start"), std::string::npos) << t;
    // END on the same day shows only the time of day.
    EXPECT_NE(t.find("g-000000000001  15:00:00"), std::string::npos) << t;
    EXPECT_EQ(std::count(t.begin(), t.end(), '\n'), 3);
}

TEST(AuditReport, UntrustedEventsAreMarkedAndNeverInTheSummary) {
    auto real = ev("2026-11-23T10:00:00Z", "grant", "alice", "22");
    auto forged = ev("2026-11-23T11:00:00Z", "grant", "mallory", "22");
    forged.trust = Trust::untrusted;
    const auto s = summarize_ports({real, forged});
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].grants, 1u);
    EXPECT_EQ(s[0].last_user, "alice");
    EXPECT_EQ(s[0].last_access, "2026-11-23T10:00:00Z");

    const std::string t = audit_table({real, forged});
    EXPECT_NE(t.find("WRITER    TIME (UTC)"), std::string::npos) << t;
    EXPECT_NE(t.find("\njitd      2026-11-23 10:00:00  grant"), std::string::npos) << t;
    EXPECT_NE(t.find("\nNOT-JITD  2026-11-23 11:00:00  grant"), std::string::npos) << t;
    EXPECT_EQ(audit_table({real}).find("WRITER"), std::string::npos);
    EXPECT_EQ(audit_json({forged})[0]["trust"], "untrusted");
}

TEST(AuditReport, TrustTextNamesTheRulesAndTheIgnoredClaims) {
    AuditRead read;
    read.events = {ev("2026-11-23T10:00:00Z", "grant", "alice", "22")};
    read.untrusted = 2;
    std::string t = trust_text(read, std::nullopt);
    EXPECT_NE(t.find("none from jitd.service (no user jitd on this host), 1 from a root process "
                     "named jitd"),
              std::string::npos)
        << t;
    EXPECT_NE(t.find("2 entries claiming to be jitd were ignored: not written by jitd "
                     "(--include-untrusted shows them)"),
              std::string::npos)
        << t;
    read.events[0].trust = Trust::service;
    read.untrusted = 0;
    t = trust_text(read, 998);
    EXPECT_NE(t.find("1 from jitd.service as user jitd (uid 998), 0 from a root process"),
              std::string::npos)
        << t;
    EXPECT_EQ(t.find("ignored"), std::string::npos) << t;
}

// The daemon's `restore` kind (another tool changed the table) has no user, port or grant:
// every format shows it and the per-port summary ignores it.
TEST(AuditReport, RestoreEventsAreShownAndNotCountedAsGrants) {
    AuditRecord r;
    r.time = *wire::parse_iso8601("2026-11-23T14:02:00Z");
    r.event = "restore";
    r.message = "table inet jitd was changed by 4242 nft (deleted table inet jitd)";
    const auto g = ev("2026-11-23T14:00:00Z", "grant", "alice", "22");
    EXPECT_NE(audit_table({g, r}).find("restore"), std::string::npos);
    EXPECT_NE(audit_csv({g, r}).find(",restore,"), std::string::npos);
    const auto j = audit_json({g, r});
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[1]["event"], "restore");
    EXPECT_TRUE(j[1]["port"].is_null());
    const auto sum = summarize_ports({g, r});
    ASSERT_EQ(sum.size(), 1u);
    EXPECT_EQ(sum[0].grants, 1u);
}

}  // namespace
}  // namespace jitd::client
