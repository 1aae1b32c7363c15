#pragma once
// Standard-alphabet base64 (RFC 4648 §4) on libcrypto's EVP_EncodeBlock/EVP_DecodeBlock, with
// the unpadded form fwknop uses everywhere.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jitd::remote {

// Padded with '='.
std::string base64_encode(std::span<const unsigned char> bytes);
// The same without the trailing '='.
std::string base64_encode_unpadded(std::span<const unsigned char> bytes);
// Accepts padded or unpadded input; nullopt on any character outside the alphabet, '=' other
// than as trailing padding, or an impossible length (4n+1).
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);
// One character of the standard alphabet (A-Z a-z 0-9 + /), padding not included.
bool is_base64_char(char c);

}  // namespace jitd::remote
