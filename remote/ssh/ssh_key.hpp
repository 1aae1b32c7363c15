// OpenSSH public keys (RFC 4253 6.6, RFC 5656, RFC 8709, PROTOCOL.u2f): parsing the wire blob into
// a libcrypto key, SHA256 fingerprints as ssh-keygen -l prints them, and signature checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "remote/ssh/ssh_openssl.hpp"
#include "remote/ssh/ssh_wire.hpp"

namespace jitd::remote::ssh {

enum class KeyType : std::uint8_t {
    ed25519,
    ecdsa_p256,
    ecdsa_p384,
    ecdsa_p521,
    rsa,
    sk_ed25519,     // sk-ssh-ed25519@openssh.com (FIDO security key)
    sk_ecdsa_p256,  // sk-ecdsa-sha2-nistp256@openssh.com
};

// "ssh-ed25519", "ecdsa-sha2-nistp256", ...
const char* key_type_name(KeyType t);
// "ssh-ed25519-cert-v01@openssh.com", ...
std::string cert_type_name(KeyType t);
std::optional<KeyType> key_type_from_name(std::string_view name);
std::optional<KeyType> cert_type_from_name(std::string_view name);
bool is_security_key(KeyType t);

// RSA keys shorter than this are refused (ssh-keygen makes 3072 by default).
inline constexpr int kMinRsaBits = 2048;

struct PublicKey {
    KeyType type = KeyType::ed25519;
    std::string blob;         // the plain key's wire blob (what fingerprints are taken of)
    std::string application;  // security keys: the FIDO application ("ssh:")
    Pkey pkey;
};

// A plain (not certificate) public key blob. Throws WireError.
PublicKey parse_public_key(std::string_view blob);
// The fields after the type name (also how certificates embed the key). Throws WireError.
PublicKey read_key_fields(KeyType type, WireReader& in);

// "SHA256:" + unpadded base64 of SHA-256 over the plain blob, as `ssh-keygen -l` prints.
std::string fingerprint(std::string_view plain_blob);

// What a security-key signature's flags must show.
struct SkRequirements {
    bool user_presence = true;       // flag 0x01 (off: "no-touch-required")
    bool user_verification = false;  // flag 0x04 ("verify-required")
};

// "" when `sig_blob` (string type || signature fields) is `key`'s valid signature over `data`;
// otherwise a short reason. Never throws. `sk_flags`, when given, receives a security key's flags.
std::string verify_signature(const PublicKey& key, std::string_view sig_blob, std::string_view data,
                             const SkRequirements& sk = {}, std::uint8_t* sk_flags = nullptr);
// "" when security key `flags` meet `sk`.
std::string check_sk_flags(std::uint8_t flags, const SkRequirements& sk);

// Builds an EC public key on the curve of `type` from an uncompressed point. Throws WireError.
Pkey ec_public_key(KeyType type, std::string_view point);
// The libcrypto group name for an ECDSA type ("prime256v1", ...).
const char* ec_group_name(KeyType type);
std::string sha256(std::string_view data);
std::string sha512(std::string_view data);

}  // namespace jitd::remote::ssh
