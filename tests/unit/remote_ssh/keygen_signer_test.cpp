// `--key FILE` with a passphrase-protected key: jit-request hands the file to the real
// `ssh-keygen -Y sign`, which gets the passphrase from an askpass script (SSH_ASKPASS with
// SSH_ASKPASS_REQUIRE=force, as a desktop would); the request it builds verifies. A wrong
// passphrase and a missing ssh-keygen are clear errors, and a plain key still signs in-process.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <optional>

#include "agent/client/remote_open.hpp"
#include "agent/client/ssh_keygen_signer.hpp"
#include "remote/ssh/ssh_private_key.hpp"
#include "remote/ssh/ssh_verify.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::remote::ssh {
namespace {

using namespace test;

// Sets an environment variable for one test (ssh-keygen inherits the environment) and puts the
// old value back.
class EnvVar {
  public:
    EnvVar(const char* name, const std::optional<std::string>& value) : name_(name) {
        if (const char* old = getenv(name)) old_ = old;
        if (value)
            setenv(name, value->c_str(), 1);
        else
            unsetenv(name);
    }
    ~EnvVar() {
        if (old_)
            setenv(name_, old_->c_str(), 1);
        else
            unsetenv(name_);
    }
    EnvVar(const EnvVar&) = delete;
    EnvVar& operator=(const EnvVar&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

class PassphraseKey : public ::testing::Test {
  protected:
    void SetUp() override {
        key_ = dir_.file("locked");
        jitd::test::run_ok(
            {"ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-C", "locked@test", "-f", key_});
    }
    // An askpass program that answers `passphrase` and notes that it was asked.
    void askpass(const std::string& passphrase) {
        const std::string script = dir_.file("askpass");
        write_file(script, "#!/bin/sh\necho asked >>'" + dir_.file("asked") + "'\necho '" +
                               passphrase + "'\n");
        ASSERT_EQ(chmod(script.c_str(), 0700), 0);
        askpass_.emplace("SSH_ASKPASS", script);
    }
    Keyring ring() const {
        Keyring ring;
        LoadErrors errors;
        add_authorized_keys(ring, "alice", public_line(key_) + "\n", "alice.pub", errors);
        if (!errors.empty()) throw std::runtime_error(errors[0]);
        return ring;
    }
    client::BuiltRequests build() {
        auto signers = client::request_signers(key_);
        return client::build_signed_requests(sample_request(), signers);
    }

    TempDir dir_;
    std::string key_;
    // No agent: ssh-keygen would sign with an agent that holds the key, without asking.
    EnvVar no_agent_{"SSH_AUTH_SOCK", std::nullopt};
    EnvVar force_{"SSH_ASKPASS_REQUIRE", "force"};
    std::optional<EnvVar> askpass_;
};

TEST_F(PassphraseKey, TheHeaderSaysEncryptedAndNamesTheKey) {
    const auto header = read_key_file_header(key_);
    EXPECT_TRUE(header.encrypted);
    EXPECT_EQ(header.public_key.type, KeyType::ed25519);
    const auto plain = read_key_file_header(make_key(dir_, "plain", "ed25519"));
    EXPECT_FALSE(plain.encrypted);
    EXPECT_THROW(read_key_file_header(key_ + ".pub"), WireError);
}

TEST_F(PassphraseKey, SshKeygenSignsWithThePassphraseFromAskpass) {
    askpass("secret");
    auto signers = client::request_signers(key_);
    ASSERT_EQ(signers.size(), 1u);
    EXPECT_NE(dynamic_cast<client::SshKeygenSigner*>(signers[0].get()), nullptr);
    const auto built = client::build_signed_requests(sample_request(), signers);
    ASSERT_TRUE(built.skipped.empty()) << built.skipped.front();
    ASSERT_EQ(built.datagrams.size(), 1u);
    EXPECT_EQ(slurp(dir_.file("asked")), "asked\n");  // the passphrase came from askpass
    const auto res = verify_signed_request(built.datagrams[0].bytes, ring(), kHostNames, now(),
                                           addr("192.0.2.10"));
    ASSERT_TRUE(res) << res.reason;
    EXPECT_EQ(res.request.port, sample_request().port);
    // ssh-keygen itself agrees, and the signature covers exactly this request.
    const auto parts = split_datagram(built.datagrams[0].bytes);
    const std::string request(parts.request);
    const std::string sig(parts.sshsig);
    EXPECT_EQ(keygen_verify(dir_, key_, request, sig), 0);
    EXPECT_NE(keygen_verify(dir_, key_, request + "x", sig), 0);
}

TEST_F(PassphraseKey, AWrongPassphraseIsAClearErrorAndNoRequest) {
    askpass("not the passphrase");
    const auto built = build();
    EXPECT_TRUE(built.datagrams.empty());
    ASSERT_EQ(built.skipped.size(), 1u);
    EXPECT_NE(built.skipped[0].find("ssh-keygen -Y sign failed"), std::string::npos)
        << built.skipped[0];
    EXPECT_NE(built.skipped[0].find(key_), std::string::npos) << built.skipped[0];
}

TEST_F(PassphraseKey, WithoutSshKeygenTheErrorSaysWhatToInstall) {
    askpass("secret");
    const EnvVar path("PATH", dir_.file("empty-bin"));
    const auto built = build();
    EXPECT_TRUE(built.datagrams.empty());
    ASSERT_EQ(built.skipped.size(), 1u);
    EXPECT_NE(built.skipped[0].find("openssh-client"), std::string::npos) << built.skipped[0];
}

TEST_F(PassphraseKey, APlainKeyStillSignsInProcess) {
    const std::string plain = make_key(dir_, "plain", "ed25519");
    auto signers = client::request_signers(plain);
    ASSERT_EQ(signers.size(), 1u);
    EXPECT_NE(dynamic_cast<KeyFileSigner*>(signers[0].get()), nullptr);
}

TEST(SshKeygenSigner, RefusesRawSigningAndFindsProgramsOnPath) {
    client::SshKeygenSigner signer("/nonexistent", "blob");
    EXPECT_THROW(signer.sign("data"), std::runtime_error);
    EXPECT_NE(client::find_on_path("sh"), "");
    EXPECT_EQ(client::find_on_path("no-such-program-jitd"), "");
}

}  // namespace
}  // namespace jitd::remote::ssh
