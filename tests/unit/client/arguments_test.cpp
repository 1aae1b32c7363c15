// jit-request's own argument forms: PORT[/proto], $SSH_CONNECTION, audit time bounds.
#include "agent/client/arguments.hpp"

#include <gtest/gtest.h>

#include "agent/client/exit_codes.hpp"

namespace jitd::client {
namespace {

TEST(PortSpec, BarePortLeavesTheProtocolToThePolicy) {
    const auto p = parse_port_spec("22");
    ASSERT_TRUE(p) << p.error;
    EXPECT_EQ(p.value.port, 22);
    EXPECT_FALSE(p.value.protocol.has_value());
}

TEST(PortSpec, ProtocolSuffix) {
    auto tcp = parse_port_spec("3389/tcp");
    ASSERT_TRUE(tcp) << tcp.error;
    EXPECT_EQ(tcp.value.port, 3389);
    EXPECT_EQ(tcp.value.protocol, config::Protocol::tcp);
    auto udp = parse_port_spec("65535/udp");
    ASSERT_TRUE(udp) << udp.error;
    EXPECT_EQ(udp.value.port, 65535);
    EXPECT_EQ(udp.value.protocol, config::Protocol::udp);
}

TEST(PortSpec, RefusesWhatIsNotAPort) {
    for (const char* bad : {"", "0", "65536", "70000", "-1", "22x", "x22", "22/", "22/any",
                            "22/TCP", "22/sctp", "/tcp", "1e3", " 22", "000000022"}) {
        const auto p = parse_port_spec(bad);
        EXPECT_FALSE(p) << "'" << bad << "' was accepted";
        EXPECT_FALSE(p.error.empty());
    }
}

TEST(PortSpec, ErrorSaysWhatIsExpected) {
    EXPECT_NE(parse_port_spec("abc").error.find("1..65535"), std::string::npos);
    EXPECT_NE(parse_port_spec("22/icmp").error.find("tcp or udp"), std::string::npos);
}

TEST(SshConnection, Ipv4ClientIsTheFirstWord) {
    EXPECT_EQ(ssh_client_address("203.0.113.7 52311 10.0.0.5 22").value, "203.0.113.7");
}

TEST(SshConnection, Ipv6Client) {
    EXPECT_EQ(ssh_client_address("2001:db8::7 52311 2001:db8::1 22").value, "2001:db8::7");
    // Written the long way, printed the canonical way (what the daemon and nft print).
    EXPECT_EQ(ssh_client_address("2001:0db8:0000:0000:0000:0000:0000:0007 1 2 3").value,
              "2001:db8::7");
}

// Issue 11, finding 12: dropping the zone made a grant for that address on every interface.
TEST(SshConnection, ZoneIsRefusedClearly) {
    const auto a = ssh_client_address("fe80::1%eth0 52311 fe80::2%eth0 22");
    EXPECT_FALSE(a) << a.value;
    EXPECT_NE(a.error.find("'fe80::1%eth0' is link-local with a zone"), std::string::npos)
        << a.error;
}

TEST(SshConnection, MappedIpv4BecomesIpv4) {
    EXPECT_EQ(ssh_client_address("::ffff:198.51.100.2 52311 ::ffff:198.51.100.1 22").value,
              "198.51.100.2");
}

TEST(SshConnection, LeadingBlanksAndASingleWord) {
    EXPECT_EQ(ssh_client_address("  198.51.100.2 1 2 3").value, "198.51.100.2");
    EXPECT_EQ(ssh_client_address("198.51.100.2").value, "198.51.100.2");
}

TEST(SshConnection, NotAnAddress) {
    EXPECT_FALSE(ssh_client_address(""));
    EXPECT_FALSE(ssh_client_address("   "));
    EXPECT_FALSE(ssh_client_address("localhost 1 2 3"));
    EXPECT_FALSE(ssh_client_address("10.0.0.0/8 1 2 3"));
    EXPECT_FALSE(ssh_client_address("256.1.1.1 1 2 3"));
}

TEST(TimeBound, DurationCountsBackFromNow) {
    const auto now = *wire::parse_iso8601("2026-11-23T14:00:00Z");
    auto b = parse_time_bound("7d", now);
    ASSERT_TRUE(b) << b.error;
    EXPECT_EQ(wire::format_iso8601(b.value), "2026-11-16T14:00:00Z");
    b = parse_time_bound("PT90M", now);
    ASSERT_TRUE(b) << b.error;
    EXPECT_EQ(wire::format_iso8601(b.value), "2026-11-23T12:30:00Z");
}

TEST(TimeBound, IsoTimeAndDate) {
    const auto now = *wire::parse_iso8601("2026-11-23T14:00:00Z");
    auto b = parse_time_bound("2026-11-20T08:15:00Z", now);
    ASSERT_TRUE(b) << b.error;
    EXPECT_EQ(wire::format_iso8601(b.value), "2026-11-20T08:15:00Z");
    b = parse_time_bound("2026-11-20", now);
    ASSERT_TRUE(b) << b.error;
    EXPECT_EQ(wire::format_iso8601(b.value), "2026-11-20T00:00:00Z");
}

TEST(TimeBound, RefusesOtherText) {
    const auto now = wire::now_seconds();
    for (const char* bad : {"", "yesterday", "0s", "-1h", "2026-13-01", "2026-11-23 14:00"}) {
        const auto b = parse_time_bound(bad, now);
        EXPECT_FALSE(b) << "'" << bad << "' was accepted";
    }
}

TEST(ExitCodes, NotAuthorizedIs77AndOtherRefusalsAre1) {
    EXPECT_EQ(exit_code_for_error("not_authorized"), 77);
    for (const char* code :
         {"duration_exceeds_max", "port_not_protected", "source_not_allowed", "overlaps_grant",
          "limit_reached", "reason_required", "not_found", "bad_request", "invalid_source",
          "too_many_connections", "internal", "some_future_code"})
        EXPECT_EQ(exit_code_for_error(code), 1) << code;
    EXPECT_EQ(kExitUsage, 64);
    EXPECT_EQ(kExitUnavailable, 69);
}

TEST(ExitCodes, AuditUnavailableIs69) {
    // The request was fine; the daemon could not record it: try again later, like "daemon
    // unavailable".
    EXPECT_EQ(exit_code_for_error("audit_unavailable"), 69);
}

}  // namespace
}  // namespace jitd::client
