#include "remote/base64.hpp"

#include <openssl/evp.h>

namespace jitd::remote {

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

std::string base64_encode(std::span<const unsigned char> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    if (bytes.empty()) return out;
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64_encode_unpadded(std::span<const unsigned char> bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    return out;
}

std::optional<std::vector<unsigned char>> base64_decode(std::string_view text) {
    // Strip at most two '=' of padding, then require a clean alphabet and a possible length.
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    const std::string_view body = text.substr(0, text.size() - pad);
    for (const char c : body)
        if (!is_base64_char(c)) return std::nullopt;
    if (body.size() % 4 == 1) return std::nullopt;
    if (pad != 0 && (body.size() + pad) % 4 != 0) return std::nullopt;
    // EVP_DecodeBlock wants whole quads; put the padding back and remove it from the output.
    std::string padded(body);
    const std::size_t missing = (4 - body.size() % 4) % 4;
    padded.append(missing, '=');
    std::vector<unsigned char> out(3 * (padded.size() / 4));
    if (padded.empty()) return out;
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(padded.data()),
                                  static_cast<int>(padded.size()));
    if (n < 0) return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - missing);
    // Non-canonical trailing bits (e.g. "QR" for "QQ") would make two texts decode alike.
    if (base64_encode_unpadded(out) != body) return std::nullopt;
    return out;
}

}  // namespace jitd::remote
