// Signing with an unencrypted OpenSSH private key file ("openssh-key-v1", PROTOCOL.key):
// ed25519, ecdsa-sha2-nistp256/384/521 and RSA (signing rsa-sha2-512). Passphrase-protected and
// security-key files are refused here (libcrypto has no bcrypt_pbkdf, and a security key signs
// itself); read_key_file_header tells them apart so that the client hands them to ssh-keygen.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "remote/ssh/ssh_key.hpp"
#include "remote/ssh/ssh_sig.hpp"

namespace jitd::remote::ssh {

// The head of an openssh-key-v1 file, which no passphrase protects.
struct KeyFileHeader {
    PublicKey public_key;
    bool encrypted = false;  // a passphrase protects the private part
};
// The file's text; `label` names it in errors. Throws WireError.
KeyFileHeader read_key_file_header(std::string_view text, const std::string& label);
// Reads the file at `path` first. Throws WireError (also for an unreadable file).
KeyFileHeader read_key_file_header(const std::string& path);

class KeyFileSigner : public Signer {
  public:
    // The armored file text. Throws std::runtime_error (WireError) saying what is wrong.
    static std::unique_ptr<KeyFileSigner> from_text(std::string_view text, std::string label);
    static std::unique_ptr<KeyFileSigner> from_file(const std::string& path);

    std::string public_key_blob() const override { return public_.blob; }
    std::string label() const override { return label_; }
    std::string sign(std::string_view data) override;

  private:
    KeyFileSigner() = default;
    PublicKey public_;
    Pkey private_;
    std::string label_;
};

}  // namespace jitd::remote::ssh
