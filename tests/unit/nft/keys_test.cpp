#include "nft/keys.hpp"

#include <gtest/gtest.h>

namespace jitd::nft {
namespace {

using keys::Bytes;

Prefix prefix_of(const char* text) {
    return parse_prefix(text).value();
}

TEST(Keys, GrantKeyPadsEachComponentToFourBytes) {
    const ElementKey k{prefix_of("10.0.0.0/24"), L4::tcp, 22};
    EXPECT_EQ(keys::grant_key(k), (Bytes{10, 0, 0, 0, 6, 0, 0, 0, 0, 22, 0, 0}));
    EXPECT_EQ(keys::grant_key(k, true), (Bytes{10, 0, 0, 255, 6, 0, 0, 0, 0, 22, 0, 0}));
    const ElementKey u{prefix_of("192.0.2.1"), L4::udp, 3389};
    EXPECT_EQ(keys::grant_key(u), (Bytes{192, 0, 2, 1, 17, 0, 0, 0, 0x0d, 0x3d, 0, 0}));
}

TEST(Keys, PickupKeyIsRemoteThenLocalAndReadsBack) {
    const Tuple t{Prefix::Family::ipv4, prefix_of("198.51.100.2").bytes, 40000,
                  prefix_of("198.51.100.1").bytes, 22};
    const Bytes k = keys::pickup_key(t);
    EXPECT_EQ(k, (Bytes{198, 51, 100, 2, 0x9c, 0x40, 0, 0, 198, 51, 100, 1, 0, 22, 0, 0}));
    EXPECT_EQ(keys::decode_pickup(Prefix::Family::ipv4, k), t);
    EXPECT_EQ(t.str(), "198.51.100.2:40000 > 198.51.100.1:22");
    const Tuple t6{Prefix::Family::ipv6, prefix_of("2001:db8::2").bytes, 1,
                   prefix_of("2001:db8::1").bytes, 2};
    EXPECT_EQ(keys::pickup_key(t6).size(), 40u);
    EXPECT_EQ(keys::decode_pickup(Prefix::Family::ipv6, keys::pickup_key(t6)), t6);
    EXPECT_FALSE(keys::decode_pickup(Prefix::Family::ipv6, k)) << "wrong length";
}

TEST(Keys, Ipv6KeysAreTwentyFourBytes) {
    const ElementKey k{prefix_of("2001:db8::/32"), L4::tcp, 5986};
    const Bytes last = keys::grant_key(k, true);
    ASSERT_EQ(last.size(), 24u);
    EXPECT_EQ(last[3], 0xb8);
    EXPECT_EQ(last[4], 0xff);
    EXPECT_EQ(last[15], 0xff);
    EXPECT_EQ(last[16], 6);
}

TEST(Keys, ProtoPortKey) {
    EXPECT_EQ(keys::proto_port_key({L4::udp, 5985}), (Bytes{17, 0, 0, 0, 0x17, 0x61, 0, 0}));
}

TEST(Keys, IntervalEndIsOnePastTheLastAddress) {
    EXPECT_EQ(keys::prefix_start(prefix_of("192.0.2.0/24")), (Bytes{192, 0, 2, 0}));
    EXPECT_EQ(keys::prefix_end_exclusive(prefix_of("192.0.2.0/24")), (Bytes{192, 0, 3, 0}));
    EXPECT_EQ(keys::prefix_end_exclusive(prefix_of("10.255.255.255")), (Bytes{11, 0, 0, 0}));
    EXPECT_FALSE(keys::prefix_end_exclusive(prefix_of("0.0.0.0/0")));
    EXPECT_FALSE(keys::prefix_end_exclusive(prefix_of("255.255.255.255")));
    EXPECT_FALSE(keys::prefix_end_exclusive(prefix_of("ffff::/16")));
}

TEST(Keys, DecodeRoundTrips) {
    for (const char* text : {"203.0.113.7", "10.0.0.0/8", "198.51.100.0/30", "0.0.0.0/0",
                             "2001:db8::7", "2001:db8:99::/126", "2001:db8::/32"}) {
        const ElementKey k{prefix_of(text), L4::udp, 2222};
        const Bytes start = keys::grant_key(k), end = keys::grant_key(k, true);
        auto back = keys::decode_grant(k.source.family, start, k.source.is_host() ? nullptr : &end);
        ASSERT_TRUE(back) << text;
        EXPECT_EQ(*back, k) << text;
    }
}

TEST(Keys, DecodeRefusesForeignShapes) {
    const Bytes short_key{10, 0, 0, 1, 6, 0, 0, 0};
    EXPECT_FALSE(keys::decode_grant(Prefix::Family::ipv4, short_key, nullptr));
    const Bytes icmp{10, 0, 0, 1, 1, 0, 0, 0, 0, 22, 0, 0};
    EXPECT_FALSE(keys::decode_grant(Prefix::Family::ipv4, icmp, nullptr));
}

}  // namespace
}  // namespace jitd::nft
