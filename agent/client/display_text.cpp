#include "agent/client/display_text.hpp"

namespace jitd::client {
namespace {

// Decodes one UTF-8 sequence at s[i]: its code point and length, or length 0 when the bytes
// there are not valid UTF-8 (overlong forms, surrogates and values over U+10FFFF included).
struct Decoded {
    char32_t cp = 0;
    std::size_t len = 0;
};

Decoded decode(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char lead = b(0);
    std::size_t len = 0;
    char32_t cp = 0, min = 0;
    if (lead < 0x80) return {lead, 1};
    if (lead >= 0xC2 && lead <= 0xDF) {
        len = 2, cp = lead & 0x1Fu, min = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        len = 3, cp = lead & 0x0Fu, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        len = 4, cp = lead & 0x07u, min = 0x10000;
    } else {
        return {};
    }
    if (i + len > s.size()) return {};
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(k) & 0xC0) != 0x80) return {};
        cp = (cp << 6) | (b(k) & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
    return {cp, len};
}

bool is_control(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

// Invisible characters that change how the text around them reads: bidi embeddings,
// overrides and isolates, the directional marks, zero-width space/joiners, the BOM.
bool is_hiding_format(char32_t cp) {
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// A backslash, x or u, and 2 or 4 lower-case hex digits.
void append_escape(std::string& out, char kind, unsigned value, int digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '\\';
    out += kind;
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xFu];
}

}  // namespace

std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const Decoded d = decode(s, i);
        if (d.len == 0) {
            append_escape(out, 'x', static_cast<unsigned char>(s[i]), 2);
            ++i;
            continue;
        }
        if (d.cp == '\t') {
            out += "\\t";
        } else if (d.cp == '\n') {
            out += "\\n";
        } else if (d.cp == '\r') {
            out += "\\r";
        } else if (is_control(d.cp)) {
            append_escape(out, 'x', static_cast<unsigned>(d.cp), 2);
        } else if (is_hiding_format(d.cp)) {
            append_escape(out, 'u', static_cast<unsigned>(d.cp), 4);
        } else {
            out.append(s.substr(i, d.len));
        }
        i += d.len;
    }
    return out;
}

std::string valid_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const Decoded d = decode(s, i);
        if (d.len == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
            ++i;
        } else {
            out.append(s.substr(i, d.len));
            i += d.len;
        }
    }
    return out;
}

}  // namespace jitd::client
