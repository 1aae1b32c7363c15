// An IPv4 or IPv6 network prefix. A bare address is a host prefix (/32 or /128).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/parse_result.hpp"

namespace jitd::config {

struct Cidr {
    enum class Family : std::uint8_t { ipv4 = 4, ipv6 = 6 };
    Family family = Family::ipv4;
    std::array<std::uint8_t, 16> bytes{};  // network byte order; IPv4 uses the first 4
    std::uint8_t prefix_len = 32;

    std::size_t addr_len() const { return family == Family::ipv4 ? 4 : 16; }
    std::uint8_t max_prefix() const { return family == Family::ipv4 ? 32 : 128; }
    bool is_host() const { return prefix_len == max_prefix(); }
    // Both in one family and `other` lies wholly inside this prefix.
    bool contains(const Cidr& other) const;
    bool overlaps(const Cidr& other) const;
    // "10.0.0.0/8", "2001:db8::/32"; hosts print without the length: "203.0.113.7".
    std::string str() const;
    // Always with the length: "203.0.113.7/32".
    std::string str_with_len() const;
    friend bool operator==(const Cidr&, const Cidr&) = default;
};

using CidrParse = ParseResult<Cidr>;

// Accepts "ADDR" or "ADDR/LEN". Host bits set is an error that names the network probably
// meant ("10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?").
CidrParse parse_cidr(std::string_view text);

}  // namespace jitd::config
