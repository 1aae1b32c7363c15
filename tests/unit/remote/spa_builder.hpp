// Builds fwknop SPA packets for tests, as the stock client does (same KDF, cipher, HMAC), with
// every step exposed so a test can break exactly one of them.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitd::remote::testing {

using Bytes = std::vector<unsigned char>;
using Salt = std::array<unsigned char, 8>;

Bytes bytes_of(std::string_view s);
Bytes from_base64(std::string_view s);  // throws on bad input
std::string b64(std::string_view s);    // unpadded base64 of text

// "rand:b64(user):ts:version:type:b64(message)[:timeout]" (no digest).
std::string spa_body(std::string_view user, std::string_view ts, std::string_view message,
                     std::string_view type = "1", std::optional<std::string_view> timeout = {},
                     std::string_view rand = "1234567890123456",
                     std::string_view version = "3.0.0");
// body + ":" + unpadded base64 of its SHA-256 (or "sha384"/"sha512").
std::string with_digest(const std::string& body, std::string_view digest = "sha256");
// PKCS#7 padding to a multiple of 16.
std::string pkcs7(std::string plaintext);

// Wire payload for `padded` (a multiple of 16 bytes, already padded): encrypts with the fwknop
// KDF, base64s "Salted__"|salt|ct, strips the 10-char prefix and appends the HMAC-SHA256 tag.
std::string seal(const Bytes& enc_key, const Bytes& hmac_key, std::string_view padded,
                 const Salt& salt = {1, 2, 3, 4, 5, 6, 7, 8});
// seal(pkcs7(plaintext)).
std::string make_packet(const Bytes& enc_key, const Bytes& hmac_key, std::string_view plaintext,
                        const Salt& salt = {1, 2, 3, 4, 5, 6, 7, 8});
// Appends a valid tag to any wire body (the HMAC covers "U2FsdGVkX1" + body).
std::string tag_wire(const Bytes& hmac_key, std::string_view body);

}  // namespace jitd::remote::testing
