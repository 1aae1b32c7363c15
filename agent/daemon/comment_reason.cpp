#include "agent/daemon/comment_reason.hpp"

namespace jitd::agent {
namespace {

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '~' || c == '-';
}

bool continuation(unsigned char c, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return c >= lo && c <= hi;
}

// The length of the printable UTF-8 character at s[i], or 0 for a control character (C0, DEL,
// C1) or a byte that does not start a well-formed sequence (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
std::size_t char_length(std::string_view s, std::size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return 0;
    if (c < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        if (c == 0xc2) lo = 0xa0;  // U+0080..U+009F are the C1 controls
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    if (i + n > s.size() || !continuation(static_cast<unsigned char>(s[i + 1]), lo, hi)) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (!continuation(static_cast<unsigned char>(s[i + k]))) return 0;
    return n;
}

void encode(std::string_view piece, std::string& out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (char ch : piece) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c))
            out += ch;
        else if (c == ' ')
            out += '+';
        else
            out += {'%', kHex[c >> 4], kHex[c & 0xf]};
    }
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;  // lower case is not canonical
}

// The bytes of an encoded text; nullopt when it is not exactly how encode() writes them.
std::optional<std::string> decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (unreserved(c)) {
            out += text[i];
        } else if (c == '+') {
            out += ' ';
        } else if (c == '%' && i + 2 < text.size()) {
            const int hi = hex_digit(text[i + 1]), lo = hex_digit(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            const auto byte = static_cast<unsigned char>(hi << 4 | lo);
            if (unreserved(byte) || byte == ' ') return std::nullopt;  // written as itself
            out += static_cast<char>(byte);
            i += 2;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

}  // namespace

std::string format_reason_field(std::string_view reason, bool cut, std::size_t room) {
    if ((reason.empty() && !cut) || room < kReasonWhole.size()) return {};
    std::string body, piece;
    std::size_t i = 0;
    while (i < reason.size()) {
        const std::size_t n = char_length(reason, i);
        if (n == 0) {  // never in a reason the request parser let through
            ++i;
            continue;
        }
        piece.clear();
        encode(reason.substr(i, n), piece);
        if (kReasonWhole.size() + body.size() + piece.size() > room) {
            cut = true;
            break;
        }
        body += piece;
        i += n;
    }
    if (!cut && body.empty()) return {};
    return std::string(cut ? kReasonCut : kReasonWhole) + body;
}

std::optional<CommentReason> parse_reason_field(std::string_view field) {
    const bool whole = field.substr(0, kReasonWhole.size()) == kReasonWhole;
    if (!whole && field.substr(0, kReasonCut.size()) != kReasonCut) return std::nullopt;
    auto text = decode(field.substr(kReasonWhole.size()));
    if (!text || (whole && text->empty())) return std::nullopt;
    for (std::size_t i = 0; i < text->size();) {
        const std::size_t n = char_length(*text, i);
        if (n == 0) return std::nullopt;
        i += n;
    }
    return CommentReason{std::move(*text), !whole};
}

}  // namespace jitd::agent
