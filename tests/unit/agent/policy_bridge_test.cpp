// config::Policy -> nft::TableSpec, and prefixes both ways.
#include <gtest/gtest.h>

#include "agent/daemon/policy_bridge.hpp"
#include "config/policy_loader.hpp"

namespace jitd::agent {
namespace {

config::Cidr cidr(const char* text) {
    auto c = config::parse_cidr(text);
    EXPECT_TRUE(c) << c.error;
    return c.value;
}

TEST(PolicyBridge, PrefixRoundTrip) {
    for (const char* text :
         {"203.0.113.7", "10.0.0.0/8", "0.0.0.0/0", "2001:db8::/32", "2001:db8:99::2", "::/0"}) {
        config::Cidr c = cidr(text);
        nft::Prefix p = to_prefix(c);
        EXPECT_EQ(p.len, c.prefix_len);
        EXPECT_EQ(p.is_host(), c.is_host());
        EXPECT_EQ(p.str(), c.str()) << text;
        EXPECT_EQ(to_cidr(p), c);
    }
    EXPECT_EQ(to_prefix(cidr("2001:db8::/32")).family, nft::Prefix::Family::ipv6);
    EXPECT_EQ(to_prefix(cidr("10.0.0.0/8")).family, nft::Prefix::Family::ipv4);
}

TEST(PolicyBridge, Protocols) {
    EXPECT_EQ(l4s_of(config::Protocol::tcp), std::vector<nft::L4>{nft::L4::tcp});
    EXPECT_EQ(l4s_of(config::Protocol::udp), std::vector<nft::L4>{nft::L4::udp});
    EXPECT_EQ(l4s_of(config::Protocol::any), (std::vector<nft::L4>{nft::L4::tcp, nft::L4::udp}));
    EXPECT_EQ(protocol_of(nft::L4::tcp), config::Protocol::tcp);
    EXPECT_EQ(protocol_of(nft::L4::udp), config::Protocol::udp);
}

TEST(PolicyBridge, TableSpecFromPolicy) {
    auto policy = config::parse_policy(R"(
ports:
  - port: 22
    protocol: tcp
  - port: 53
    protocol: any
  - port: 5986
    protocol: udp
always_allow: [192.0.2.0/24, 2001:db8:1::/48]
)",
                                       "t.yaml");
    nft::TableSpec spec = table_spec(policy);
    std::vector<nft::ProtoPort> want{
        {nft::L4::tcp, 22}, {nft::L4::tcp, 53}, {nft::L4::udp, 53}, {nft::L4::udp, 5986}};
    EXPECT_EQ(spec.protected_ports, want);
    ASSERT_EQ(spec.always_allow.size(), 2u);
    EXPECT_EQ(spec.always_allow[0].str(), "192.0.2.0/24");
    EXPECT_EQ(spec.always_allow[1].str(), "2001:db8:1::/48");
}

TEST(PolicyBridge, DefaultPortsAreTcpAndUdp) {
    auto policy = config::parse_policy("require_reason: false\n", "t.yaml");
    nft::TableSpec spec = table_spec(policy);
    EXPECT_EQ(spec.protected_ports.size(), 8u);  // 22, 3389, 5985, 5986 × tcp, udp
    EXPECT_TRUE(spec.always_allow.empty());
}

}  // namespace
}  // namespace jitd::agent
