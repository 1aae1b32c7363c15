// What the loader accepts, and what it makes of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/policy_loader.hpp"

namespace jitd::config {
namespace {

using std::chrono::seconds;

Policy parse(std::string_view yaml) {
    return parse_policy(yaml, "policy.yaml");
}

Cidr cidr_of(std::string_view text) {
    return parse_cidr(text).value;
}

TEST(PolicyLoader, ReadsEveryOption) {
    const Policy p = parse(R"(ports:
  - port: 22
    protocol: tcp
    max_duration: 1h30m
    allowed_sources: any
  - port: 3389
    allowed_sources: [10.0.0.0/8, 2001:db8::/32]
  - port: 51820
    protocol: udp
    max_duration: PT15M
  - port: 51820
    protocol: tcp
access:
  admins:     {users: [root], groups: [sudo]}
  requesters: {groups: [jit, ops], users: [alice]}
  viewers:    {groups: [adm]}
always_allow: [192.0.2.0/24, 2001:db8:ffff::/48, 198.51.100.9]
require_reason: true
limits:
  max_grants_per_user: 3
  widest_source: {ipv4: 24, ipv6: 64}
)");
    EXPECT_EQ(p.origin, "policy.yaml");
    ASSERT_EQ(p.ports.size(), 4u);
    EXPECT_EQ(p.ports[0].port, 22);
    EXPECT_EQ(p.ports[0].protocol, Protocol::tcp);
    EXPECT_EQ(p.ports[0].max_duration, seconds{5400});
    EXPECT_TRUE(p.ports[0].any_source);
    EXPECT_EQ(p.ports[1].port, 3389);
    EXPECT_EQ(p.ports[1].protocol, Protocol::any);  // the default
    EXPECT_EQ(p.ports[1].max_duration, kDefaultMaxDuration);
    EXPECT_FALSE(p.ports[1].any_source);
    ASSERT_EQ(p.ports[1].allowed_sources.size(), 2u);
    EXPECT_EQ(p.ports[1].allowed_sources[0], cidr_of("10.0.0.0/8"));
    EXPECT_EQ(p.ports[1].allowed_sources[1], cidr_of("2001:db8::/32"));
    EXPECT_TRUE(p.ports[1].any_source == false);
    EXPECT_EQ(p.ports[2].protocol, Protocol::udp);
    EXPECT_EQ(p.ports[2].max_duration, seconds{900});
    EXPECT_TRUE(p.ports[2].any_source);  // allowed_sources defaults to any
    EXPECT_EQ(p.ports[3].protocol, Protocol::tcp);

    EXPECT_EQ(p.access.admins.users, std::vector<std::string>{"root"});
    EXPECT_EQ(p.access.admins.groups, std::vector<std::string>{"sudo"});
    EXPECT_EQ(p.access.requesters.users, std::vector<std::string>{"alice"});
    EXPECT_EQ(p.access.requesters.groups, (std::vector<std::string>{"jit", "ops"}));
    EXPECT_TRUE(p.access.viewers.users.empty());
    EXPECT_EQ(p.access.viewers.groups, std::vector<std::string>{"adm"});

    ASSERT_EQ(p.always_allow.size(), 3u);
    EXPECT_EQ(p.always_allow[0], cidr_of("192.0.2.0/24"));
    EXPECT_EQ(p.always_allow[1], cidr_of("2001:db8:ffff::/48"));
    EXPECT_TRUE(p.always_allow[2].is_host());
    EXPECT_TRUE(p.require_reason);
    EXPECT_EQ(p.limits.max_grants_per_user, 3u);
    EXPECT_EQ(p.limits.widest_ipv4, 24u);
    EXPECT_EQ(p.limits.widest_ipv6, 64u);
}

TEST(PolicyLoader, AbsentPortsMeansTheDefaults) {
    const Policy p = parse("require_reason: false\n");
    ASSERT_EQ(p.ports.size(), 4u);
    EXPECT_EQ(p.ports[0].port, 22);
    EXPECT_EQ(p.ports[1].port, 3389);
    EXPECT_EQ(p.ports[2].port, 5985);
    EXPECT_EQ(p.ports[3].port, 5986);
    for (const auto& r : p.ports) {
        EXPECT_EQ(r.protocol, Protocol::any);
        EXPECT_EQ(r.max_duration, seconds{3 * 3600});
        EXPECT_TRUE(r.any_source);
    }
}

TEST(PolicyLoader, EmptyFileIsDefaultsAndOnlyRoot) {
    for (const char* text : {"", "# nothing but a comment\n", "---\n", "~\n"}) {
        const Policy p = parse(text);
        EXPECT_EQ(p.ports.size(), 4u) << text;
        EXPECT_TRUE(p.access.admins.users.empty()) << text;
        EXPECT_TRUE(p.access.requesters.groups.empty()) << text;
        EXPECT_FALSE(p.require_reason);
        EXPECT_EQ(p.limits.max_grants_per_user, 16u);
        EXPECT_EQ(p.limits.widest_ipv4, 16u);
        EXPECT_EQ(p.limits.widest_ipv6, 48u);
    }
}

// An empty or missing access section never means "everyone": every role stays empty.
TEST(PolicyLoader, EmptyAccessMeansNobody) {
    for (const char* text : {"access:\n", "access: {}\n", "access:\n  admins:\n  viewers: {}\n",
                             "access:\n  requesters: {users: [], groups: []}\n",
                             "access:\n  requesters:\n    users:\n    groups:\n"}) {
        const Policy p = parse(text);
        for (const Role* r : {&p.access.admins, &p.access.requesters, &p.access.viewers}) {
            EXPECT_TRUE(r->users.empty()) << text;
            EXPECT_TRUE(r->groups.empty()) << text;
        }
    }
}

TEST(PolicyLoader, SameNameInDifferentListsIsFine) {
    const Policy p =
        parse("access:\n  admins: {users: [ops], groups: [ops]}\n  requesters: {users: [ops]}\n");
    EXPECT_EQ(p.access.admins.users, std::vector<std::string>{"ops"});
    EXPECT_EQ(p.access.admins.groups, std::vector<std::string>{"ops"});
    EXPECT_EQ(p.access.requesters.users, std::vector<std::string>{"ops"});
}

TEST(PolicyLoader, AlwaysAllowMayBeAbsentOrEmpty) {
    EXPECT_TRUE(parse("require_reason: true\n").always_allow.empty());
    EXPECT_TRUE(parse("always_allow: []\n").always_allow.empty());
    EXPECT_TRUE(parse("always_allow:\n").always_allow.empty());
    EXPECT_EQ(parse("always_allow:\n  - 10.9.0.0/16\n").always_allow.size(), 1u);
}

TEST(PolicyLoader, TcpAndUdpOnOnePortAreDistinct) {
    const Policy p = parse(
        "ports:\n  - {port: 53, protocol: tcp}\n  - {port: 53, protocol: udp, max_duration: 1h}\n");
    ASSERT_EQ(p.ports.size(), 2u);
    EXPECT_EQ(p.find(53, Protocol::udp)->max_duration, seconds{3600});
    EXPECT_EQ(p.find(53, Protocol::tcp)->max_duration, kDefaultMaxDuration);
}

TEST(PolicyLoader, BoundsAreInclusive) {
    const Policy p = parse(R"(ports:
  - {port: 1, max_duration: 7d}
  - {port: 65535, max_duration: 1s}
  - {port: 8080, max_duration: P7D}
  - {port: 8081, max_duration: 168h}
limits: {max_grants_per_user: 100000, widest_source: {ipv4: 0, ipv6: 128}}
)");
    EXPECT_EQ(p.ports[0].port, 1);
    EXPECT_EQ(p.ports[0].max_duration, kMaxMaxDuration);
    EXPECT_EQ(p.ports[1].port, 65535);
    EXPECT_EQ(p.ports[2].max_duration, kMaxMaxDuration);
    EXPECT_EQ(p.ports[3].max_duration, kMaxMaxDuration);
    EXPECT_EQ(p.limits.max_grants_per_user, 100000u);
    EXPECT_EQ(p.limits.widest_ipv4, 0u);
    EXPECT_EQ(p.limits.widest_ipv6, 128u);
    EXPECT_EQ(parse("limits: {max_grants_per_user: 1, widest_source: {ipv4: 32, ipv6: 0}}\n")
                  .limits.widest_ipv4,
              32u);
}

TEST(PolicyLoader, PartialLimitsKeepDefaults) {
    const Policy p = parse("limits:\n  widest_source: {ipv6: 56}\n");
    EXPECT_EQ(p.limits.max_grants_per_user, 16u);
    EXPECT_EQ(p.limits.widest_ipv4, 16u);
    EXPECT_EQ(p.limits.widest_ipv6, 56u);
}

TEST(PolicyLoader, BooleansInTheirUsualSpellings) {
    EXPECT_TRUE(parse("require_reason: True\n").require_reason);
    EXPECT_FALSE(parse("require_reason: FALSE\n").require_reason);
}

TEST(PolicyLoader, SessionKillAndTotalDurationKeys) {
    EXPECT_FALSE(parse("").revoke_kills_sessions);
    EXPECT_TRUE(parse("revoke_kills_sessions: true\n").revoke_kills_sessions);
    const Policy p =
        parse("ports:\n  - {port: 22, max_duration: 1h, max_total_duration: 8h}\n  - port: 23\n");
    ASSERT_EQ(p.ports.size(), 2u);
    EXPECT_EQ(p.ports[0].max_total_duration, seconds(8 * 3600));
    EXPECT_FALSE(p.ports[1].max_total_duration) << "no bound unless given";
    EXPECT_THROW(parse("ports:\n  - {port: 22, max_duration: 1h, max_total_duration: 30m}\n"),
                 PolicyError)
        << "a total bound shorter than one grant";
}

class PolicyFile : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/jitd-config-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path dir_;
};

TEST_F(PolicyFile, LoadsAFileAndKeepsThePathAsGiven) {
    const auto path = dir_ / "policy.yaml";
    std::ofstream(path) << "ports:\n  - port: 2222\n    protocol: tcp\n";
    const Policy p = load_policy_file(path.string());
    EXPECT_EQ(p.origin, path.string());
    ASSERT_EQ(p.ports.size(), 1u);
    EXPECT_EQ(p.ports[0].port, 2222);

    std::ofstream(path) << "ports:\n  - port: 2222\n    protocol: sctp\n";
    try {
        load_policy_file(path.string());
        FAIL() << "accepted protocol sctp";
    } catch (const PolicyError& e) {
        EXPECT_EQ(e.file(), path.string());
        EXPECT_EQ(std::string(e.what()).rfind(path.string() + ":3:15: protocol:", 0), 0u)
            << e.what();
    }
}

TEST_F(PolicyFile, MissingFileIsLineZero) {
    const std::string path = (dir_ / "absent.yaml").string();
    try {
        load_policy_file(path);
        FAIL() << "a missing file was accepted";
    } catch (const PolicyError& e) {
        EXPECT_EQ(e.line(), 0);
        EXPECT_EQ(e.column(), 0);
        EXPECT_EQ(e.file(), path);
        EXPECT_EQ(e.message(), "cannot read: No such file or directory");
        EXPECT_EQ(std::string(e.what()), path + ": cannot read: No such file or directory");
    }
}

TEST_F(PolicyFile, DirectoryIsRefused) {
    try {
        load_policy_file(dir_.string());
        FAIL() << "a directory was accepted";
    } catch (const PolicyError& e) {
        EXPECT_EQ(e.line(), 0);
        EXPECT_EQ(e.message(), "cannot read: Is a directory");
    }
}

TEST_F(PolicyFile, HugeFileIsRefused) {
    const auto path = dir_ / "huge.yaml";
    {
        std::ofstream out(path);
        const std::string comment(1023, '#');
        for (int i = 0; i < 1100; ++i) out << comment << '\n';
    }
    try {
        load_policy_file(path.string());
        FAIL() << "a 1.1 MiB file was accepted";
    } catch (const PolicyError& e) {
        EXPECT_EQ(e.line(), 0);
        EXPECT_NE(e.message().find("larger than 256 KiB"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace jitd::config
