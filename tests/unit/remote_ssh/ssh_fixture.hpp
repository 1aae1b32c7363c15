// Keys, certificates and signatures made by the real OpenSSH tools (ssh-keygen), in a temporary
// directory the fixture removes.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "config/cidr.hpp"
#include "remote/ssh/ssh_keyring.hpp"
#include "remote/ssh/ssh_request.hpp"

namespace jitd::remote::ssh::test {

class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

std::string slurp(const std::string& path);
void write_file(const std::string& path, std::string_view bytes);

// ssh-keygen -t TYPE [-b BITS] -N '' -f DIR/NAME; returns the private key path.
std::string make_key(const TempDir& dir, const std::string& name, const std::string& type,
                     int bits = 0);
// The "TYPE BASE64 COMMENT" line of NAME.pub.
std::string public_line(const std::string& key_path);
// ssh-keygen -Y sign -n NS -f KEY over `message`; the raw (dearmored) sshsig blob.
std::string keygen_sign(const TempDir& dir, const std::string& key_or_cert,
                        const std::string& message, const std::string& ns = "jitd");
// ssh-keygen -Y verify with an allowed_signers file for `principal`; exit code 0 = good.
int keygen_verify(const TempDir& dir, const std::string& key_path, const std::string& message,
                  const std::string& sshsig_blob, const std::string& ns = "jitd");
// ssh-keygen -s CA -I ID -n PRINCIPALS -V VALIDITY [extra args] KEY.pub; returns KEY-cert.pub.
std::string make_cert(const std::string& ca, const std::string& key, const std::string& principals,
                      const std::string& validity, const std::vector<std::string>& extra = {});

// A request for port 22 on "bastion-7" from 192.0.2.10, timed now.
SignedRequest sample_request();
config::Cidr addr(const std::string& text);
inline const std::vector<std::string> kHostNames{"bastion-7", "bastion-7.example.net"};
std::chrono::system_clock::time_point now();

}  // namespace jitd::remote::ssh::test

namespace jitd::remote::ssh::test {

// Keys made once for the whole test binary.
struct KeySet {
    TempDir dir;
    std::string ed25519, ecdsa256, ecdsa384, rsa3072, unlisted, ca, other_ca;
};
const KeySet& keys();

// A keyring with alice's ed25519, ecdsa256, ecdsa384 and rsa3072 keys and `ca` as user CA.
Keyring alice_keyring(const std::string& options = "");

}  // namespace jitd::remote::ssh::test
