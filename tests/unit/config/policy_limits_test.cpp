// The limits section and its bounds.
#include <gtest/gtest.h>

#include "refusal.hpp"

namespace jitd::config {
namespace {

TEST(PolicyLimits, MaxGrantsPerUserRange) {
    EXPECT_REFUSAL("limits:\n  max_grants_per_user: 0\n", 2, 24,
                   "max_grants_per_user: 0 is out of range 1..100000");
    EXPECT_REFUSAL("limits:\n  max_grants_per_user: 100001\n", 2, 24,
                   "max_grants_per_user: 100001 is out of range 1..100000");
    EXPECT_REFUSAL("limits:\n  max_grants_per_user: -1\n", 2, 24, "-1 is out of range 1..100000");
}

TEST(PolicyLimits, AllowLinkLocalIsAnOptionalBoolean) {
    EXPECT_FALSE(parse_policy("", "p.yaml").limits.allow_link_local);
    EXPECT_FALSE(
        parse_policy("limits: {max_grants_per_user: 3}\n", "p.yaml").limits.allow_link_local);
    EXPECT_TRUE(
        parse_policy("limits: {allow_link_local: true}\n", "p.yaml").limits.allow_link_local);
    EXPECT_REFUSAL("limits:\n  allow_link_local: yes please\n", 2, 21,
                   "allow_link_local: expected true or false");
}

TEST(PolicyLimits, WidestSourceRanges) {
    EXPECT_REFUSAL("limits:\n  widest_source:\n    ipv4: 33\n", 3, 11,
                   "widest_source.ipv4: 33 is out of range 0..32");
    EXPECT_REFUSAL("limits:\n  widest_source:\n    ipv6: 129\n", 3, 11,
                   "widest_source.ipv6: 129 is out of range 0..128");
    EXPECT_REFUSAL("limits:\n  widest_source: {ipv4: -1}\n", 2, 25,
                   "widest_source.ipv4: -1 is out of range 0..32");
    EXPECT_REFUSAL("limits:\n  widest_source: {ipv6: /48}\n", 2, 25,
                   "widest_source.ipv6: expected an integer 0..128, got '/48'");
}

}  // namespace
}  // namespace jitd::config
