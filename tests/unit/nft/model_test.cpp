#include <gtest/gtest.h>

#include "nft/layout.hpp"
#include "nft/model.hpp"

namespace jitd::nft {
namespace {

Prefix P(const char* text) {
    auto p = parse_prefix(text);
    if (!p) throw std::runtime_error(std::string("bad prefix ") + text);
    return *p;
}

TEST(Prefix, HostsPrintWithoutLength) {
    EXPECT_EQ(P("203.0.113.7").str(), "203.0.113.7");
    EXPECT_EQ(P("203.0.113.7/32").str(), "203.0.113.7");
    EXPECT_EQ(P("2001:db8::7").str(), "2001:db8::7");
    EXPECT_TRUE(P("2001:db8::7/128").is_host());
}

TEST(Prefix, NetworksPrintWithLength) {
    EXPECT_EQ(P("10.0.0.0/24").str(), "10.0.0.0/24");
    EXPECT_EQ(P("0.0.0.0/0").str(), "0.0.0.0/0");
    EXPECT_EQ(P("2001:db8::/32").str(), "2001:db8::/32");
    EXPECT_EQ(P("2001:db8:99::/126").str(), "2001:db8:99::/126");
}

TEST(Prefix, ParseRefusesHostBitsAndJunk) {
    EXPECT_FALSE(parse_prefix("10.0.0.1/24"));
    EXPECT_FALSE(parse_prefix("10.0.0.0/33"));
    EXPECT_FALSE(parse_prefix("2001:db8::1/64"));
    EXPECT_FALSE(parse_prefix("10.0.0.0/"));
    EXPECT_FALSE(parse_prefix("10.0.0.0/-1"));
    EXPECT_FALSE(parse_prefix("example.org"));
    EXPECT_FALSE(parse_prefix(""));
}

TEST(Prefix, ParseFillsBytesInNetworkOrder) {
    Prefix p = P("10.1.2.0/24");
    EXPECT_EQ(p.family, Prefix::Family::ipv4);
    EXPECT_EQ(p.len, 24);
    EXPECT_EQ(p.bytes[0], 10);
    EXPECT_EQ(p.bytes[1], 1);
    EXPECT_EQ(p.bytes[2], 2);
    EXPECT_EQ(p.bytes[3], 0);
}

TEST(ElementKey, StrIsSourceProtoPort) {
    EXPECT_EQ((ElementKey{P("10.0.0.0/24"), L4::tcp, 22}.str()), "10.0.0.0/24 . tcp . 22");
    EXPECT_EQ((ElementKey{P("2001:db8::7"), L4::udp, 3389}.str()), "2001:db8::7 . udp . 3389");
}

TEST(Layout, GrantSetFollowsFamilyAndLength) {
    EXPECT_EQ(layout::grant_set_for({P("10.0.0.1"), L4::tcp, 22}), "grant4_host");
    EXPECT_EQ(layout::grant_set_for({P("10.0.0.0/8"), L4::tcp, 22}), "grant4_net");
    EXPECT_EQ(layout::grant_set_for({P("2001:db8::1"), L4::tcp, 22}), "grant6_host");
    EXPECT_EQ(layout::grant_set_for({P("2001:db8::/48"), L4::tcp, 22}), "grant6_net");
}

TEST(Layout, KeysArePaddedAndTypedLikeNft) {
    const auto& g4 = layout::set("grant4_host");
    EXPECT_EQ(layout::key_len(g4), 12u);
    EXPECT_EQ(layout::key_type(g4), (7u << 6 | 12u) << 6 | 13u);
    EXPECT_EQ(layout::key_len(layout::set("grant6_net")), 24u);
    EXPECT_EQ(layout::key_len(layout::set("protected")), 8u);
    EXPECT_EQ(layout::key_type(layout::set("allow6")), 8u);
}

TEST(Layout, NormalizedDropsDuplicatesAndCoveredPrefixes) {
    TableSpec spec;
    spec.protected_ports = {{L4::tcp, 22}, {L4::udp, 22}, {L4::tcp, 22}};
    spec.always_allow = {P("10.1.0.0/16"), P("10.0.0.0/8"), P("192.0.2.0/24"), P("192.0.2.0/24"),
                         P("2001:db8::/32")};
    TableSpec n = layout::normalized(spec);
    EXPECT_EQ(n.protected_ports, (std::vector<ProtoPort>{{L4::tcp, 22}, {L4::udp, 22}}));
    EXPECT_EQ(n.always_allow,
              (std::vector<Prefix>{P("10.0.0.0/8"), P("192.0.2.0/24"), P("2001:db8::/32")}));
}

}  // namespace
}  // namespace jitd::nft
