// The `remote:` section: defaults, every key, and the refusals (FILE:LINE:COLUMN).
#include <gtest/gtest.h>

#include "config/policy_warnings.hpp"
#include "refusal.hpp"

namespace jitd::config {
namespace {

using namespace std::chrono_literals;

TEST(PolicyRemote, AbsentMeansOff) {
    EXPECT_FALSE(parse_policy("", "p.yaml").remote);
    EXPECT_FALSE(parse_policy("require_reason: false\n", "p.yaml").remote);
}

TEST(PolicyRemote, EmptySectionTakesEveryDefault) {
    const auto remote = parse_policy("remote:\n", "p.yaml").remote;
    ASSERT_TRUE(remote);
    EXPECT_EQ(remote->port, 62201);
    EXPECT_EQ(remote->max_age, 120s);
    EXPECT_EQ(remote->default_duration, 15min);
    EXPECT_FALSE(remote->packet_source);
    EXPECT_FALSE(remote->user_ca);
    EXPECT_EQ(remote->keys, "/etc/jitd/keys");
    EXPECT_TRUE(remote->host_names.empty());
}

TEST(PolicyRemote, EveryKey) {
    const auto remote = parse_policy(
                            "remote:\n"
                            "  port: 4000\n"
                            "  max_age: 1m\n"
                            "  default_duration: PT1H\n"
                            "  packet_source: true\n"
                            "  user_ca: /etc/jitd/user_ca.pub\n"
                            "  keys: /srv/keys\n"
                            "  host_names: [bastion-7, bastion-7.example.net]\n",
                            "p.yaml")
                            .remote;
    ASSERT_TRUE(remote);
    EXPECT_EQ(remote->port, 4000);
    EXPECT_EQ(remote->max_age, 60s);
    EXPECT_EQ(remote->default_duration, 1h);
    EXPECT_TRUE(remote->packet_source);
    EXPECT_EQ(remote->user_ca, "/etc/jitd/user_ca.pub");
    EXPECT_EQ(remote->keys, "/srv/keys");
    EXPECT_EQ(remote->host_names, (std::vector<std::string>{"bastion-7", "bastion-7.example.net"}));
}

TEST(PolicyRemote, Refusals) {
    EXPECT_REFUSAL("remote:\n  prot: 1\n", 2, 3, "unknown key 'prot' in remote");
    EXPECT_REFUSAL("remote: 62201\n", 1, 9, "remote");
    EXPECT_REFUSAL("remote:\n  port: 0\n", 2, 9, "remote.port: 0 is out of range 1..65535");
    EXPECT_REFUSAL("remote:\n  port: udp\n", 2, 9, "remote.port: expected an integer");
    EXPECT_REFUSAL("remote:\n  max_age: 2h\n", 2, 12, "remote.max_age: 2h exceeds the 1h limit");
    EXPECT_REFUSAL("remote:\n  max_age: soon\n", 2, 12, "remote.max_age:");
    EXPECT_REFUSAL("remote:\n  default_duration: 8d\n", 2, 21, "exceeds the 7d limit");
    EXPECT_REFUSAL("remote:\n  packet_source: maybe\n", 2, 18,
                   "remote.packet_source: expected true or false");
    EXPECT_REFUSAL("remote:\n  keys: keys\n", 2, 9, "remote.keys: expected an absolute path");
    EXPECT_REFUSAL("remote:\n  user_ca: [a]\n", 2, 12, "remote.user_ca: expected a string");
    EXPECT_REFUSAL("remote:\n  host_names: [a, b, a]\n", 2, 22, "'a' is listed twice");
    EXPECT_REFUSAL("remote:\n  host_names: [\"a b\"]\n", 2, 16, "is not a host name");
    EXPECT_REFUSAL("remote:\n  host_names: bastion\n", 2, 15, "remote.host_names");
}

TEST(PolicyRemote, ThePortMayNotBeAProtectedUdpPort) {
    EXPECT_REFUSAL("ports:\n  - {port: 4000, protocol: any}\nremote:\n  port: 4000\n", 4, 9,
                   "remote.port: 4000/udp is also a protected port");
    EXPECT_REFUSAL("ports:\n  - {port: 62201, protocol: udp}\nremote:\n", 3, 1,
                   "the default port 62201/udp is also a protected port");
    // A TCP rule on the same number is fine.
    EXPECT_TRUE(
        parse_policy("ports:\n  - {port: 4000, protocol: tcp}\nremote: {port: 4000}\n", "p.yaml")
            .remote);
}

TEST(PolicyRemote, PacketSourceIsWarnedAbout) {
    const auto warnings =
        policy_warnings(parse_policy("remote: {packet_source: true}\n", "p.yaml"));
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("remote.packet_source"), std::string::npos);
    EXPECT_TRUE(policy_warnings(parse_policy("remote:\n", "p.yaml")).empty());
}

}  // namespace
}  // namespace jitd::config
