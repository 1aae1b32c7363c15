// The per-host table from given events (no journal): host names, counts, ports, formats.
#include "agent/client/host_summary.hpp"

#include <gtest/gtest.h>

#include "agent/client/audit_report.hpp"

namespace jitd::client {
namespace {

AuditRecord ev(const char* time, const char* event, const char* host, const char* machine,
               const char* user = "", const char* port = "") {
    AuditRecord e;
    e.time = *wire::parse_iso8601(time);
    e.event = event;
    e.hostname = host;
    e.machine_id = machine;
    e.user = user;
    e.port = port;
    e.protocol = "tcp";
    e.trust = Trust::service;
    return e;
}

constexpr const char* kA = "aaaaaaaa111111111111111111111111";
constexpr const char* kB = "bbbbbbbb222222222222222222222222";

TEST(HostSummary, NamesShowTheMachineIdOnlyWhenTwoShareAHostname) {
    HostNames names;
    names.add(ev("2026-11-23T10:00:00Z", "grant", "web1", kA));
    EXPECT_EQ(names.label("web1", kA), "web1");
    names.add(ev("2026-11-23T10:00:00Z", "grant", "web1", kB));
    EXPECT_EQ(names.label("web1", kA), "web1 (aaaaaaaa)");
    EXPECT_EQ(names.label("web1", kB), "web1 (bbbbbbbb)");
    EXPECT_EQ(names.label("", kB), kB) << "no hostname: the machine id";
}

TEST(HostSummary, AHostFilterTakesANameOrALabel) {
    EXPECT_EQ(parse_host_filter("web1").hostname, "web1");
    EXPECT_EQ(parse_host_filter("web1").machine_prefix, "");
    const auto f = parse_host_filter("web1 (aaaaaaaa)");
    EXPECT_EQ(f.hostname, "web1");
    EXPECT_EQ(f.machine_prefix, "aaaaaaaa");
    EXPECT_EQ(parse_host_filter("odd (name)").hostname, "odd (name)") << "not hex: a plain name";
    EXPECT_EQ(parse_host_filter("x ()").hostname, "x ()");
}

TEST(HostSummary, CountsGrantsAndRefusalsAndKeepsTheLastGrant) {
    auto suppressed = ev("2026-11-23T12:00:00Z", "deny", "db1", kB, "carol");
    suppressed.error = "suppressed";
    suppressed.suppressed = "7";
    auto forged = ev("2026-11-23T13:00:00Z", "grant", "db1", kB, "mallory", "22");
    forged.trust = Trust::untrusted;
    auto config = ev("2026-11-20T00:00:00Z", "start", "db1", kB);
    config.ports = "5432/tcp 22/tcp";
    config.has_ports = true;
    const auto s = summarize_hosts(
        {ev("2026-11-23T10:00:00Z", "grant", "db1", kB, "erin", "22"),
         ev("2026-11-23T11:00:00Z", "grant", "db1", kB, "finn", "22"),
         ev("2026-11-23T11:30:00Z", "deny", "db1", kB, "carol"), suppressed, forged},
        {config});
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].host, "db1");
    EXPECT_EQ(s[0].grants, 2u) << "the untrusted grant never counts";
    EXPECT_EQ(s[0].refusals, 8u) << "a deny, and a summary of seven";
    EXPECT_EQ(s[0].last_user, "finn");
    EXPECT_EQ(s[0].last_access, "2026-11-23T11:00:00Z");
    EXPECT_EQ(s[0].ports, (std::vector<std::string>{"22/tcp", "5432/tcp"})) << "sorted by port";
}

TEST(HostSummary, WithoutAConfigurationThePortsAreThoseGranted) {
    const auto s = summarize_hosts({ev("2026-11-23T10:00:00Z", "grant", "b", kB, "u", "3389"),
                                    ev("2026-11-23T10:00:00Z", "grant", "b", kB, "u", "22"),
                                    ev("2026-11-23T10:00:00Z", "deny", "a", kA, "u", "8080")},
                                   {});
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].host, "a");
    EXPECT_TRUE(s[0].ports.empty()) << "a refused port is not a protected one";
    EXPECT_EQ(s[0].last_access, "");
    EXPECT_EQ(s[1].ports, (std::vector<std::string>{"22/tcp", "3389/tcp"}));
}

TEST(HostSummary, JsonAndCsvHaveTheDocumentedShape) {
    const auto s = summarize_hosts({ev("2026-11-23T10:00:00Z", "grant", "a", kA, "u", "22"),
                                    ev("2026-11-23T10:00:00Z", "deny", "b", kB, "v")},
                                   {});
    const auto j = host_summary_json(s);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0].dump(), R"({"host":"a","machine_id":")" + std::string(kA) +
                               R"(","grants":1,"refusals":0,"last_access":"2026-11-23T10:00:00Z",)"
                               R"("ports":["22/tcp"],"last_user":"u"})");
    EXPECT_TRUE(j[1]["last_access"].is_null());
    EXPECT_TRUE(j[1]["last_user"].is_null());
    EXPECT_EQ(host_summary_csv(s),
              "host,grants,refusals,last_access,ports,last_user\r\n"
              "a,1,0,2026-11-23T10:00:00Z,22/tcp,u\r\n"
              "b,0,1,,,\r\n");
}

TEST(HostSummary, EventColumnsGainAHostOnlyForACollection) {
    const auto e = ev("2026-11-23T10:00:00Z", "grant", "web1", kA, "u", "22");
    HostNames names;
    names.add(e);
    EXPECT_EQ(audit_columns().front(), "time");
    EXPECT_EQ(audit_columns(&names).front(), "host");
    EXPECT_EQ(audit_values(e, &names).front(), "web1");
    EXPECT_EQ(audit_json({e}, &names)[0]["host"], "web1");
    EXPECT_FALSE(audit_json({e})[0].contains("host"));
}

}  // namespace
}  // namespace jitd::client
