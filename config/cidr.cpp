// IPv4/IPv6 prefixes: parsing with inet_pton, printing with inet_ntop, containment.
#include "config/cidr.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "config/printable.hpp"

namespace jitd::config {
namespace {

int af_of(Cidr::Family f) {
    return f == Cidr::Family::ipv4 ? AF_INET : AF_INET6;
}

// Clears every bit past `len`, so two prefixes compare by their network part only.
std::array<std::uint8_t, 16> masked(const std::array<std::uint8_t, 16>& bytes, unsigned len) {
    std::array<std::uint8_t, 16> out{};
    for (unsigned i = 0; i < out.size(); ++i) {
        const unsigned bit = i * 8;
        if (bit + 8 <= len) {
            out[i] = bytes[i];
        } else if (bit < len) {
            out[i] = static_cast<std::uint8_t>(bytes[i] & (0xFFu << (8 - (len - bit))));
        }
    }
    return out;
}

std::string address_text(Cidr::Family family, const std::array<std::uint8_t, 16>& bytes) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(af_of(family), bytes.data(), buf, sizeof buf) == nullptr) return "?";
    return buf;
}

// inet_pton reads a C string: text past a NUL (or any byte outside an address's alphabet) would be
// ignored, so "198.51.100.2\0junk" would parse as 198.51.100.2. Refuse it instead.
std::string alphabet_problem(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                        (c >= 'A' && c <= 'F') || c == '.' || c == ':' || c == '/';
        if (ok) continue;
        std::string why;
        if (c == '%')
            why =
                "it carries a zone id (%...); jitd grants an address on every interface, so "
                "write the address without it";
        else if (c == '\0')
            why = "it contains a NUL byte";
        else
            why = "it contains '" + detail::printable(text.substr(i, 1)) +
                  "', which cannot be part of one";
        return "'" + detail::printable(text) + "' is not an IPv4 or IPv6 address or CIDR: " + why;
    }
    return {};
}

}  // namespace

bool Cidr::contains(const Cidr& other) const {
    if (family != other.family || prefix_len > other.prefix_len) return false;
    return masked(bytes, prefix_len) == masked(other.bytes, prefix_len);
}

// Two prefixes either nest or are disjoint, so overlapping means one contains the other.
bool Cidr::overlaps(const Cidr& other) const {
    return contains(other) || other.contains(*this);
}

std::string Cidr::str() const {
    if (is_host()) return address_text(family, bytes);
    return str_with_len();
}

std::string Cidr::str_with_len() const {
    return address_text(family, bytes) + "/" + std::to_string(prefix_len);
}

CidrParse parse_cidr(std::string_view text) {
    CidrParse out;
    if (text.empty()) {
        out.error = "empty address";
        return out;
    }
    if (auto why = alphabet_problem(text); !why.empty()) {
        out.error = std::move(why);
        return out;
    }
    const auto slash = text.find('/');
    const std::string addr(text.substr(0, slash));
    Cidr& c = out.value;
    if (inet_pton(AF_INET, addr.c_str(), c.bytes.data()) == 1) {
        c.family = Cidr::Family::ipv4;
    } else if (inet_pton(AF_INET6, addr.c_str(), c.bytes.data()) == 1) {
        c.family = Cidr::Family::ipv6;
    } else {
        c = Cidr{};
        out.error = "'" + detail::printable(text) + "' is not an IPv4 or IPv6 address or CIDR";
        return out;
    }
    c.prefix_len = c.max_prefix();
    if (slash != std::string_view::npos) {
        const std::string_view len = text.substr(slash + 1);
        unsigned value = 0;
        const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), value);
        // Digits only: from_chars alone would accept "8x" as 8 (end check) and "" as nothing.
        if (len.empty() || len.size() > 3 || ec != std::errc{} || end != len.data() + len.size()) {
            out.error = "'" + detail::printable(text) + "' has an invalid prefix length";
            return out;
        }
        if (value > c.max_prefix()) {
            out.error = "'" + detail::printable(text) + "': prefix length " +
                        std::to_string(value) + " is out of range 0.." +
                        std::to_string(c.max_prefix());
            return out;
        }
        c.prefix_len = static_cast<std::uint8_t>(value);
    }
    const auto network = masked(c.bytes, c.prefix_len);
    if (network != c.bytes) {
        Cidr meant = c;
        meant.bytes = network;
        out.error =
            std::string(text) + " has host bits set; did you mean " + meant.str_with_len() + "?";
    }
    return out;
}

}  // namespace jitd::config
