// Signing with a key file that libcrypto cannot open by itself: a passphrase-protected
// openssh-key-v1 file (its KDF, bcrypt_pbkdf, is not in libcrypto, and we do not write crypto)
// or a security-key (sk-*) file. The real `ssh-keygen -Y sign -f FILE -n NAMESPACE` signs: it
// asks for the passphrase on the terminal or through SSH_ASKPASS, and talks to the security key.
#pragma once

#include <string>
#include <string_view>

#include "remote/ssh/ssh_sig.hpp"

namespace jitd::client {

class SshKeygenSigner : public remote::ssh::Signer {
  public:
    // `public_key_blob`: the key the file holds (from its unencrypted head), which the
    // signature must carry.
    SshKeygenSigner(std::string key_file, std::string public_key_blob);

    std::string public_key_blob() const override { return public_key_; }
    std::string label() const override { return key_file_; }
    // Throws: ssh-keygen signs whole messages only.
    std::string sign(std::string_view data) override;
    // Runs ssh-keygen (found on PATH; no shell), the message on its stdin, and returns the
    // sshsig blob of its armored stdout. Throws std::runtime_error saying what went wrong.
    std::string sshsig(std::string_view name_space, std::string_view message) override;

  private:
    std::string key_file_;
    std::string public_key_;
};

// The path of `name` on $PATH, or "" (as execvp would find it, looked up before the fork).
std::string find_on_path(const std::string& name);

}  // namespace jitd::client
