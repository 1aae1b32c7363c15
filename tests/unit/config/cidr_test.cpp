#include <gtest/gtest.h>

#include "config/cidr.hpp"

namespace jitd::config {
namespace {

Cidr cidr(std::string_view text) {
    const auto p = parse_cidr(text);
    EXPECT_TRUE(p) << text << ": " << p.error;
    return p.value;
}

TEST(Cidr, ParsesIpv4PrefixAndHost) {
    const Cidr net = cidr("10.0.0.0/8");
    EXPECT_EQ(net.family, Cidr::Family::ipv4);
    EXPECT_EQ(net.prefix_len, 8);
    EXPECT_EQ(net.bytes[0], 10);
    EXPECT_FALSE(net.is_host());
    EXPECT_EQ(net.str(), "10.0.0.0/8");

    const Cidr host = cidr("203.0.113.7");
    EXPECT_EQ(host.prefix_len, 32);
    EXPECT_TRUE(host.is_host());
    EXPECT_EQ(host.str(), "203.0.113.7");
    EXPECT_EQ(host.str_with_len(), "203.0.113.7/32");
    EXPECT_EQ(cidr("203.0.113.7/32"), host);
}

TEST(Cidr, ParsesIpv6InCanonicalForm) {
    const Cidr net = cidr("2001:0DB8:0000::/32");
    EXPECT_EQ(net.family, Cidr::Family::ipv6);
    EXPECT_EQ(net.prefix_len, 32);
    EXPECT_EQ(net.str(), "2001:db8::/32");
    EXPECT_EQ(net.addr_len(), 16u);

    const Cidr host = cidr("2001:db8:0:0:0:0:0:1");
    EXPECT_TRUE(host.is_host());
    EXPECT_EQ(host.str(), "2001:db8::1");
    EXPECT_EQ(host.str_with_len(), "2001:db8::1/128");
    EXPECT_EQ(cidr("::/0").str(), "::/0");
    EXPECT_EQ(cidr("0.0.0.0/0").str(), "0.0.0.0/0");
}

TEST(Cidr, RefusesHostBitsAndNamesTheNetwork) {
    auto p = parse_cidr("10.1.2.3/8");
    EXPECT_FALSE(p);
    EXPECT_EQ(p.error, "10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?");
    p = parse_cidr("192.168.1.130/25");
    EXPECT_EQ(p.error, "192.168.1.130/25 has host bits set; did you mean 192.168.1.128/25?");
    p = parse_cidr("2001:db8::1/32");
    EXPECT_EQ(p.error, "2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?");
    p = parse_cidr("1.2.3.4/0");
    EXPECT_EQ(p.error, "1.2.3.4/0 has host bits set; did you mean 0.0.0.0/0?");
}

TEST(Cidr, RefusesMalformedText) {
    for (const char* bad :
         {"", "10.0.0.300", "10.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8",
          "10.0.0.0/8x", "10.0.0.0/0008", "::/129", "fe80::1%eth0", "example.com", " 10.0.0.1",
          "10.0.0.1 ", "10.0.0.0/8/8", "2001:db8:::1"}) {
        const auto p = parse_cidr(bad);
        EXPECT_FALSE(p) << "'" << bad << "' was accepted";
        EXPECT_FALSE(p.error.empty()) << bad;
    }
    EXPECT_NE(parse_cidr("10.0.0.0/33").error.find("out of range 0..32"), std::string::npos);
    EXPECT_NE(parse_cidr("::/129").error.find("out of range 0..128"), std::string::npos);
    EXPECT_NE(parse_cidr("example.com").error.find("not an IPv4 or IPv6 address"),
              std::string::npos);
}

// inet_pton stops at a NUL: "198.51.100.2\0junk" parsed as 198.51.100.2 (issue 11, finding 10).
TEST(Cidr, RefusesNulAndBytesOutsideTheAlphabet) {
    using namespace std::string_literals;
    for (const std::string& bad :
         {"198.51.100.2\0junk"s, "198.51.100.2\0"s, "10.0.0.0/8\0"s, "2001:db8::1\0::2"s,
          "10.0.0.0\0/8"s, "198.51.100.2\n"s, "198.51.100.2\xff"s, "fe80::1%eth0"s}) {
        const auto p = parse_cidr(bad);
        EXPECT_FALSE(p) << "'" << bad << "' was accepted as " << p.value.str_with_len();
    }
    EXPECT_NE(parse_cidr("198.51.100.2\0junk"s).error.find("a NUL byte"), std::string::npos)
        << parse_cidr("198.51.100.2\0junk"s).error;
    EXPECT_NE(parse_cidr("fe80::1%eth0").error.find("zone id"), std::string::npos);
    EXPECT_TRUE(parse_cidr("2001:DB8::aBc"));
    EXPECT_TRUE(parse_cidr("2001:DB8:aBc::/48"));
}

TEST(Cidr, Contains) {
    const Cidr ten = cidr("10.0.0.0/8");
    EXPECT_TRUE(ten.contains(cidr("10.1.0.0/16")));
    EXPECT_TRUE(ten.contains(cidr("10.255.255.255")));
    EXPECT_TRUE(ten.contains(ten));
    EXPECT_FALSE(ten.contains(cidr("11.0.0.0/8")));
    EXPECT_FALSE(ten.contains(cidr("0.0.0.0/0")));  // wider than itself
    EXPECT_FALSE(cidr("10.1.0.0/16").contains(ten));
    EXPECT_TRUE(cidr("0.0.0.0/0").contains(cidr("198.51.100.2")));
    EXPECT_FALSE(cidr("0.0.0.0/0").contains(cidr("::1")));  // families never mix
    EXPECT_FALSE(cidr("::/0").contains(cidr("10.0.0.1")));
    EXPECT_TRUE(cidr("2001:db8::/32").contains(cidr("2001:db8:ffff::/48")));
    EXPECT_FALSE(cidr("2001:db8::/32").contains(cidr("2001:db9::1")));
    // A prefix length that is not a multiple of 8.
    EXPECT_TRUE(cidr("192.168.1.128/25").contains(cidr("192.168.1.255")));
    EXPECT_FALSE(cidr("192.168.1.128/25").contains(cidr("192.168.1.127")));
}

TEST(Cidr, OverlapsIsSymmetric) {
    const Cidr a = cidr("10.0.0.0/8");
    const Cidr b = cidr("10.20.0.0/16");
    const Cidr c = cidr("172.16.0.0/12");
    EXPECT_TRUE(a.overlaps(b));
    EXPECT_TRUE(b.overlaps(a));
    EXPECT_FALSE(a.overlaps(c));
    EXPECT_FALSE(c.overlaps(a));
    EXPECT_TRUE(a.overlaps(a));
    EXPECT_FALSE(cidr("2001:db8::/32").overlaps(cidr("10.0.0.0/8")));
    EXPECT_TRUE(cidr("2001:db8::/32").overlaps(cidr("2001:db8::5")));
    EXPECT_FALSE(cidr("198.51.100.2").overlaps(cidr("198.51.100.3")));
}

}  // namespace
}  // namespace jitd::config
