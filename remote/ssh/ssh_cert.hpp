// OpenSSH certificates (PROTOCOL.certkeys):
//   string type || string nonce || key fields || uint64 serial || uint32 type (1 user, 2 host) ||
//   string key id || string valid principals || uint64 valid after || uint64 valid before ||
//   string critical options || string extensions || string reserved || string signature key ||
//   string signature
// The CA signs every byte before the final signature string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "remote/ssh/ssh_key.hpp"

namespace jitd::remote::ssh {

inline constexpr std::uint32_t kUserCert = 1;
inline constexpr std::uint32_t kHostCert = 2;

struct Certificate {
    PublicKey key;  // the certified key, with its plain blob
    std::uint64_t serial = 0;
    std::uint32_t cert_type = 0;
    std::string key_id;
    std::vector<std::string> principals;
    std::uint64_t valid_after = 0;   // seconds since the epoch, inclusive
    std::uint64_t valid_before = 0;  // exclusive; ~0 = forever
    // Critical options with their data already unwrapped (the inner string), in order.
    std::vector<std::pair<std::string, std::string>> critical_options;
    std::vector<std::string> extensions;  // names only: jitd ignores them
    std::string signature_key;            // the CA's plain key blob
    std::string signed_part;              // every byte the CA signed
    std::string signature;
};

bool is_certificate_blob(std::string_view blob);
// Parses without checking the CA signature (see verify_certificate_signature). Throws WireError.
Certificate parse_certificate(std::string_view blob);
// "" when the CA's signature is valid; the CA key is parsed from the certificate.
std::string verify_certificate_signature(const Certificate& cert, const PublicKey& ca);

}  // namespace jitd::remote::ssh
