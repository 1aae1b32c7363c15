// SSH wire reading and writing, and base64 (libcrypto's EVP_EncodeBlock/EVP_DecodeBlock).
#include "remote/ssh/ssh_wire.hpp"

#include <openssl/evp.h>

#include <vector>

namespace jitd::remote::ssh {

std::string_view WireReader::bytes(std::size_t n, const char* what) {
    if (rest_.size() < n) throw WireError(std::string("truncated ") + what);
    const auto out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
}

std::uint8_t WireReader::u8(const char* what) {
    return static_cast<std::uint8_t>(bytes(1, what)[0]);
}

std::uint16_t WireReader::u16(const char* what) {
    const auto b = bytes(2, what);
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[0]) << 8) |
                                      static_cast<std::uint8_t>(b[1]));
}

std::uint32_t WireReader::u32(const char* what) {
    const auto b = bytes(4, what);
    std::uint32_t v = 0;
    for (char c : b) v = (v << 8) | static_cast<std::uint8_t>(c);
    return v;
}

std::uint64_t WireReader::u64(const char* what) {
    const auto b = bytes(8, what);
    std::uint64_t v = 0;
    for (char c : b) v = (v << 8) | static_cast<std::uint8_t>(c);
    return v;
}

std::string_view WireReader::string(const char* what) {
    const std::uint32_t n = u32(what);
    return bytes(n, what);
}

std::string_view WireReader::mpint(const char* what) {
    auto v = string(what);
    if (!v.empty() && (static_cast<std::uint8_t>(v[0]) & 0x80))
        throw WireError(std::string(what) + " is negative");
    while (!v.empty() && v[0] == '\0') v.remove_prefix(1);
    return v;
}

void WireReader::expect_end(const char* what) const {
    if (!rest_.empty())
        throw WireError(std::to_string(rest_.size()) + " unexpected bytes after " + what);
}

WireWriter& WireWriter::u8(std::uint8_t v) {
    out_.push_back(static_cast<char>(v));
    return *this;
}

WireWriter& WireWriter::u16(std::uint16_t v) {
    out_.push_back(static_cast<char>(v >> 8));
    out_.push_back(static_cast<char>(v));
    return *this;
}

WireWriter& WireWriter::u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(v >> shift));
    return *this;
}

WireWriter& WireWriter::u64(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(v >> shift));
    return *this;
}

WireWriter& WireWriter::string(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
    return *this;
}

WireWriter& WireWriter::raw(std::string_view s) {
    out_.append(s);
    return *this;
}

WireWriter& WireWriter::mpint(std::string_view magnitude) {
    while (!magnitude.empty() && magnitude[0] == '\0') magnitude.remove_prefix(1);
    const bool pad = !magnitude.empty() && (static_cast<std::uint8_t>(magnitude[0]) & 0x80);
    u32(static_cast<std::uint32_t>(magnitude.size() + (pad ? 1 : 0)));
    if (pad) out_.push_back('\0');
    out_.append(magnitude);
    return *this;
}

std::string base64_encode(std::string_view bytes, bool pad) {
    std::vector<unsigned char> out(4 * ((bytes.size() + 2) / 3) + 1);
    const int n = EVP_EncodeBlock(out.data(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    std::string s(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(n));
    if (!pad)
        while (!s.empty() && s.back() == '=') s.pop_back();
    return s;
}

std::string base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) throw WireError("base64 length is not a multiple of 4");
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '+' || c == '/';
        const bool tail_pad =
            c == '=' && i + 2 >= text.size() && (i + 1 == text.size() || text[i + 1] == '=');
        if (!alpha && !tail_pad) throw WireError("invalid base64");
    }
    std::vector<unsigned char> out(text.size() / 4 * 3 + 1);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0) throw WireError("invalid base64");
    std::size_t len = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts padding as zero bytes.
    if (!text.empty() && text.back() == '=') --len;
    if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
    return std::string(reinterpret_cast<const char*>(out.data()), len);
}

}  // namespace jitd::remote::ssh
