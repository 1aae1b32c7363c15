// The example policy we ship parses and says what its comments promise.
#include <gtest/gtest.h>

#include "config/policy_loader.hpp"

namespace jitd::config {
namespace {

using std::chrono::seconds;

TEST(ExamplePolicy, LoadsAndHoldsTheSafeDefaults) {
    const Policy p = load_policy_file(JITD_EXAMPLE_POLICY);
    EXPECT_EQ(p.origin, JITD_EXAMPLE_POLICY);
    ASSERT_EQ(p.ports.size(), 4u);

    const PortRule* ssh = p.find(22, Protocol::tcp);
    ASSERT_NE(ssh, nullptr);
    EXPECT_EQ(ssh->protocol, Protocol::tcp);
    EXPECT_EQ(ssh->max_duration, seconds{3600});
    EXPECT_TRUE(ssh->any_source);
    EXPECT_EQ(p.find(22, Protocol::udp), nullptr);

    const PortRule* rdp = p.find(3389, Protocol::tcp);
    ASSERT_NE(rdp, nullptr);
    EXPECT_EQ(rdp->max_duration, seconds{3 * 3600});
    EXPECT_FALSE(rdp->any_source);
    ASSERT_EQ(rdp->allowed_sources.size(), 2u);
    EXPECT_EQ(rdp->allowed_sources[0].str(), "10.0.0.0/8");
    EXPECT_EQ(rdp->allowed_sources[1].str(), "2001:db8::/32");

    for (std::uint16_t winrm : {5985, 5986}) {
        const PortRule* r = p.find(winrm, Protocol::tcp);
        ASSERT_NE(r, nullptr) << winrm;
        EXPECT_EQ(r->max_duration, seconds{3600});
        EXPECT_TRUE(r->any_source);
    }

    EXPECT_EQ(p.access.admins.users, std::vector<std::string>{"root"});
    EXPECT_EQ(p.access.admins.groups, std::vector<std::string>{"sudo"});
    EXPECT_TRUE(p.access.requesters.users.empty());
    EXPECT_EQ(p.access.requesters.groups, std::vector<std::string>{"jit"});
    EXPECT_TRUE(p.access.viewers.users.empty());
    EXPECT_EQ(p.access.viewers.groups, std::vector<std::string>{"adm"});
    EXPECT_TRUE(p.always_allow.empty());
    EXPECT_FALSE(p.require_reason);
    EXPECT_EQ(p.limits.max_grants_per_user, 16u);
    EXPECT_EQ(p.limits.widest_ipv4, 16u);
    EXPECT_EQ(p.limits.widest_ipv6, 48u);
}

// The end-to-end demo grants port 22 to 198.51.100.2 for a few seconds.
TEST(ExamplePolicy, AllowsTheDemoGrant) {
    const Policy p = load_policy_file(JITD_EXAMPLE_POLICY);
    const PortRule* ssh = p.find(22, Protocol::tcp);
    ASSERT_NE(ssh, nullptr);
    EXPECT_TRUE(ssh->any_source);
    const auto demo = parse_cidr("198.51.100.2");
    ASSERT_TRUE(demo);
    EXPECT_GE(demo.value.prefix_len, p.limits.widest_ipv4);
    EXPECT_LE(seconds{5}, ssh->max_duration);
}

}  // namespace
}  // namespace jitd::config
