#include "agent/daemon/audit_value.hpp"

namespace jitd::agent {

BoundedValue bounded_value(std::string_view value, std::size_t max) {
    static constexpr char kHex[] = "0123456789abcdef";
    BoundedValue out;
    out.text.reserve(std::min(value.size(), max));
    std::size_t i = 0;
    while (i < value.size()) {
        const auto c = static_cast<unsigned char>(value[i]);
        std::string piece;
        if (c < 0x20 || c == 0x7f) {
            piece = {'\\', 'x', kHex[c >> 4], kHex[c & 0xf]};
            ++i;
        } else {
            // One UTF-8 sequence stays whole: its lead byte and the continuation bytes after it.
            std::size_t n = 1;
            while (i + n < value.size() &&
                   (static_cast<unsigned char>(value[i + n]) & 0xc0) == 0x80 && n < 4)
                ++n;
            piece.assign(value.substr(i, n));
            i += n;
        }
        if (out.text.size() + piece.size() > max) {
            out.truncated = true;
            return out;
        }
        out.text += piece;
    }
    return out;
}

}  // namespace jitd::agent
