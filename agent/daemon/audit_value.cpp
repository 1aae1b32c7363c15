#include "agent/daemon/audit_value.hpp"

#include <algorithm>

namespace jitd::agent {
namespace {

bool needs_escape(unsigned char c) {
    return c < 0x20 || c == 0x7f;
}

}  // namespace

BoundedValue bounded_value(std::string_view value, std::size_t max) {
    // Nearly every value is short printable text: one copy, no walk per character.
    if (value.size() <= max && std::none_of(value.begin(), value.end(), [](char c) {
            return needs_escape(static_cast<unsigned char>(c));
        }))
        return {std::string(value), false};
    static constexpr char kHex[] = "0123456789abcdef";
    BoundedValue out;
    out.text.reserve(std::min(value.size(), max));
    std::size_t i = 0;
    while (i < value.size()) {
        const auto c = static_cast<unsigned char>(value[i]);
        // One UTF-8 sequence stays whole: its lead byte and the continuation bytes after it.
        std::size_t n = 1;
        if (!needs_escape(c))
            while (i + n < value.size() &&
                   (static_cast<unsigned char>(value[i + n]) & 0xc0) == 0x80 && n < 4)
                ++n;
        const std::size_t written = needs_escape(c) ? 4 : n;
        if (out.text.size() + written > max) {
            out.truncated = true;
            return out;
        }
        if (needs_escape(c)) {
            const char escape[] = {'\\', 'x', kHex[c >> 4], kHex[c & 0xf]};
            out.text.append(escape, 4);
        } else {
            out.text.append(value.substr(i, n));
        }
        i += n;
    }
    return out;
}

}  // namespace jitd::agent
