// Runs ssh-keygen with tests/support/process (argv, no shell).
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "remote/ssh/ssh_sig.hpp"
#include "tests/support/process.hpp"

namespace jitd::remote::ssh::test {

TempDir::TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "jitd-ssh-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const std::string& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string make_key(const TempDir& dir, const std::string& name, const std::string& type,
                     int bits) {
    std::string path = dir.file(name);
    std::vector<std::string> argv{"ssh-keygen", "-q", "-t",           type, "-N",
                                  "",           "-C", name + "@test", "-f", path};
    if (bits != 0) {
        argv.insert(argv.begin() + 4, "-b");
        argv.insert(argv.begin() + 5, std::to_string(bits));
    }
    jitd::test::run_ok(argv);
    return path;
}

std::string public_line(const std::string& key_path) {
    std::string line = slurp(key_path + ".pub");
    while (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
}

std::string keygen_sign(const TempDir& dir, const std::string& key_or_cert,
                        const std::string& message, const std::string& ns) {
    const std::string msg = dir.file("message");
    write_file(msg, message);
    std::filesystem::remove(msg + ".sig");
    jitd::test::run_ok({"ssh-keygen", "-q", "-Y", "sign", "-n", ns, "-f", key_or_cert, msg});
    return dearmor_sshsig(slurp(msg + ".sig"));
}

int keygen_verify(const TempDir& dir, const std::string& key_path, const std::string& message,
                  const std::string& sshsig_blob, const std::string& ns) {
    const std::string signers = dir.file("allowed_signers");
    write_file(signers, "user " + public_line(key_path) + "\n");
    const std::string sig = dir.file("verify.sig");
    write_file(sig, armor_sshsig(sshsig_blob));
    return jitd::test::run(
               {"ssh-keygen", "-Y", "verify", "-n", ns, "-f", signers, "-I", "user", "-s", sig},
               message)
        .exit_code;
}

std::string make_cert(const std::string& ca, const std::string& key, const std::string& principals,
                      const std::string& validity, const std::vector<std::string>& extra) {
    std::vector<std::string> argv{"ssh-keygen", "-q", "-s", ca, "-I", "test-id", "-z", "42"};
    if (!principals.empty()) {
        argv.push_back("-n");
        argv.push_back(principals);
    }
    argv.push_back("-V");
    argv.push_back(validity);
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(key + ".pub");
    jitd::test::run_ok(argv);
    return key + "-cert.pub";
}

config::Cidr addr(const std::string& text) {
    auto p = config::parse_cidr(text);
    if (!p) throw std::runtime_error(p.error);
    return p.value;
}

std::chrono::system_clock::time_point now() {
    return std::chrono::system_clock::now();
}

SignedRequest sample_request() {
    SignedRequest r;
    r.host = "bastion-7";
    r.port = 22;
    r.protocol = config::Protocol::tcp;
    r.source = addr("192.0.2.10");
    r.end = SignedRequest::End::duration;
    r.end_value = 3600;
    r.reason = "deploy";
    r.client_time = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count());
    for (std::size_t i = 0; i < r.nonce.size(); ++i) r.nonce[i] = static_cast<std::uint8_t>(i * 7);
    return r;
}

}  // namespace jitd::remote::ssh::test

namespace jitd::remote::ssh::test {

const KeySet& keys() {
    // Destroyed at exit, which removes the directory.
    static const std::unique_ptr<KeySet> set = [] {
        auto k = std::make_unique<KeySet>();
        k->ed25519 = make_key(k->dir, "ed25519", "ed25519");
        k->ecdsa256 = make_key(k->dir, "ecdsa256", "ecdsa", 256);
        k->ecdsa384 = make_key(k->dir, "ecdsa384", "ecdsa", 384);
        k->rsa3072 = make_key(k->dir, "rsa3072", "rsa", 3072);
        k->unlisted = make_key(k->dir, "unlisted", "ed25519");
        k->ca = make_key(k->dir, "ca", "ed25519");
        k->other_ca = make_key(k->dir, "other_ca", "ed25519");
        return k;
    }();
    return *set;
}

Keyring alice_keyring(const std::string& options) {
    const auto& k = keys();
    Keyring ring;
    LoadErrors errors;
    std::string text;
    for (const auto* key : {&k.ed25519, &k.ecdsa256, &k.ecdsa384, &k.rsa3072})
        text += (options.empty() ? "" : options + " ") + public_line(*key) + "\n";
    add_authorized_keys(ring, "alice", text, "alice.pub", errors);
    add_user_cas(ring, public_line(k.ca), "user_ca.pub", errors);
    if (!errors.empty()) throw std::runtime_error(errors[0]);
    return ring;
}

}  // namespace jitd::remote::ssh::test
