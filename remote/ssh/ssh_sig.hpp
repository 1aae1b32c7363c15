// The OpenSSH `sshsig` signature (PROTOCOL.sshsig), the blob `ssh-keygen -Y sign` armors:
//   "SSHSIG" || uint32 version=1 || string publickey || string namespace || string reserved ||
//   string hash_algorithm || string signature
// The key signs "SSHSIG" || string namespace || string reserved || string hash_algorithm ||
// string H(message), H being sha512 or sha256.
#pragma once

#include <string>
#include <string_view>

namespace jitd::remote::ssh {

inline constexpr std::string_view kSshsigMagic = "SSHSIG";
inline constexpr std::string_view kJitdNamespace = "jitd";

struct Sshsig {
    std::string_view public_key;  // a plain key or a certificate blob
    std::string_view name_space;
    std::string_view reserved;
    std::string_view hash_algorithm;  // "sha512" or "sha256"
    std::string_view signature;       // string type || signature fields
};

// Views into `blob`, which must outlive the result. Throws WireError.
Sshsig parse_sshsig(std::string_view blob);
// What the key signs. Throws WireError for a hash other than sha256/sha512.
std::string sshsig_signed_data(std::string_view name_space, std::string_view hash_algorithm,
                               std::string_view message);
std::string encode_sshsig(std::string_view public_key, std::string_view name_space,
                          std::string_view hash_algorithm, std::string_view signature);
// The text form ssh-keygen writes and reads: "-----BEGIN SSH SIGNATURE-----" ...
std::string armor_sshsig(std::string_view blob);
// Throws WireError.
std::string dearmor_sshsig(std::string_view text);

// Something that makes SSH signatures: an ssh-agent key or a private key file.
class Signer {
  public:
    virtual ~Signer() = default;
    // The public key (or certificate) blob the signature is checked against.
    virtual std::string public_key_blob() const = 0;
    // A short name for messages: the key's comment or file.
    virtual std::string label() const = 0;
    // The SSH signature blob (string type || fields) over `data`. Throws std::runtime_error.
    virtual std::string sign(std::string_view data) = 0;
    // The sshsig blob (raw, not armored) over `message`. This one wraps sign() with hash
    // sha512; a signer that signs whole messages only (ssh-keygen -Y sign) overrides it.
    virtual std::string sshsig(std::string_view name_space, std::string_view message);
};

// signer.sshsig(name_space, message).
std::string sign_sshsig(Signer& signer, std::string_view name_space, std::string_view message);

}  // namespace jitd::remote::ssh
