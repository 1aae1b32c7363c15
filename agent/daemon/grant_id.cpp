#include "agent/daemon/grant_id.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace jitd::agent {

std::string new_grant_id() {
    std::array<std::uint8_t, kGrantIdHexDigits / 2> raw{};
    std::size_t got = 0;
    while (got < raw.size()) {
        ssize_t n = getrandom(raw.data() + got, raw.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed");
        }
        got += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "g-";
    for (std::uint8_t b : raw) {
        id += kHex[b >> 4];
        id += kHex[b & 0xf];
    }
    return id;
}

bool is_grant_id(std::string_view s) {
    if (s.size() != 2 + kGrantIdHexDigits || s.substr(0, 2) != "g-") return false;
    for (char c : s.substr(2))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::optional<std::uint64_t> grant_id_bits(std::string_view s) {
    if (!is_grant_id(s)) return std::nullopt;
    std::uint64_t bits = 0;
    for (char c : s.substr(2))
        bits = bits << 4 | static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    return bits;
}

}  // namespace jitd::agent
