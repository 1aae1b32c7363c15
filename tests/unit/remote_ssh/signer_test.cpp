// Our signers (key files, a real ssh-agent) make sshsig blobs that `ssh-keygen -Y verify` accepts.
#include <gtest/gtest.h>

#include "agent/client/remote_open.hpp"
#include "agent/client/ssh_agent.hpp"
#include "remote/ssh/ssh_private_key.hpp"
#include "remote/ssh/ssh_verify.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::remote::ssh {
namespace {

using namespace test;

const std::vector<const std::string*> all_keys() {
    const auto& k = keys();
    return {&k.ed25519, &k.ecdsa256, &k.ecdsa384, &k.rsa3072};
}

TEST(KeyFileSigner, SignaturesVerifyWithSshKeygenAndOurVerifier) {
    const Keyring ring = alice_keyring();
    for (const auto* key : all_keys()) {
        SCOPED_TRACE(*key);
        auto signer = KeyFileSigner::from_file(*key);
        const std::string req = encode_request(sample_request());
        const std::string sig = sign_sshsig(*signer, kJitdNamespace, req);
        EXPECT_EQ(keygen_verify(keys().dir, *key, req, sig), 0);
        EXPECT_NE(keygen_verify(keys().dir, *key, req + "x", sig), 0);
        const auto res = verify_signed_request(encode_datagram(req, sig), ring, kHostNames, now(),
                                               addr("192.0.2.10"));
        EXPECT_TRUE(res) << res.reason;
    }
}

TEST(KeyFileSigner, Sha256SshsigVerifiesAndOtherHashesAreRefused) {
    auto signer = KeyFileSigner::from_file(keys().ed25519);
    const std::string req = encode_request(sample_request());
    const std::string sig =
        encode_sshsig(signer->public_key_blob(), kJitdNamespace, "sha256",
                      signer->sign(sshsig_signed_data(kJitdNamespace, "sha256", req)));
    EXPECT_EQ(keygen_verify(keys().dir, keys().ed25519, req, sig), 0);
    const Keyring ring = alice_keyring();
    EXPECT_TRUE(verify_signed_request(encode_datagram(req, sig), ring, kHostNames, now(),
                                      addr("192.0.2.10")));
    const std::string md5 =
        encode_sshsig(signer->public_key_blob(), kJitdNamespace, "md5", signer->sign("anything"));
    EXPECT_EQ(verify_signed_request(encode_datagram(req, md5), ring, kHostNames, now(),
                                    addr("192.0.2.10"))
                  .refusal,
              Refusal::malformed);
}

TEST(KeyFileSigner, RefusesPassphraseKeysAndOtherFiles) {
    TempDir dir;
    const std::string path = dir.file("locked");
    jitd::test::run_ok({"ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", path});
    try {
        KeyFileSigner::from_file(path);
        ADD_FAILURE() << "a passphrase-protected key loaded";
    } catch (const WireError& e) {
        EXPECT_NE(std::string(e.what()).find("ssh-agent"), std::string::npos) << e.what();
    }
    EXPECT_THROW(KeyFileSigner::from_file(path + ".pub"), WireError);
    EXPECT_THROW(KeyFileSigner::from_file(dir.file("missing")), WireError);
}

// A real ssh-agent, started for the test and killed by PID at the end.
class Agent : public ::testing::Test {
  protected:
    void SetUp() override {
        sock_ = dir_.file("agent.sock");
        agent_ = jitd::test::Child::spawn({"ssh-agent", "-D", "-a", sock_});
        ASSERT_TRUE(jitd::test::poll_until([&] { return std::filesystem::exists(sock_); }));
        for (const auto* key : all_keys())
            jitd::test::run_ok({"env", "SSH_AUTH_SOCK=" + sock_, "ssh-add", "-q", *key});
    }
    void TearDown() override { agent_.stop(); }

    TempDir dir_;
    std::string sock_;
    jitd::test::Child agent_;
};

TEST_F(Agent, EveryAgentKeySignsWhatSshKeygenVerifies) {
    auto signers = client::agent_signers(sock_);
    ASSERT_EQ(signers.size(), 4u);
    const std::string req = encode_request(sample_request());
    for (std::size_t i = 0; i < signers.size(); ++i) {
        const auto* key = all_keys()[i];
        SCOPED_TRACE(*key);
        EXPECT_EQ(signers[i]->public_key_blob(), parse_public_key(base64_decode([&] {
                                                     std::string l = public_line(*key);
                                                     const auto a = l.find(' ') + 1;
                                                     return l.substr(a, l.find(' ', a) - a);
                                                 }()))
                                                     .blob);
        const std::string sig = sign_sshsig(*signers[i], kJitdNamespace, req);
        EXPECT_EQ(keygen_verify(dir_, *key, req, sig), 0);
    }
}

TEST_F(Agent, BuildsOneVerifiableDatagramPerKeyWithOneNonce) {
    auto signers = client::agent_signers(sock_);
    SignedRequest base = sample_request();
    base.client_time = 0;
    const auto built = client::build_signed_requests(base, signers);
    EXPECT_TRUE(built.skipped.empty());
    ASSERT_EQ(built.datagrams.size(), 4u);
    const Keyring ring = alice_keyring();
    std::optional<std::array<std::uint8_t, 16>> nonce;
    for (const auto& d : built.datagrams) {
        EXPECT_LE(d.bytes.size(), kMaxDatagram);
        const auto res =
            verify_signed_request(d.bytes, ring, kHostNames, now(), addr("192.0.2.10"));
        ASSERT_TRUE(res) << d.key_label << ": " << res.reason;
        EXPECT_NE(res.request.client_time, 0u);
        if (nonce) {
            EXPECT_EQ(res.request.nonce, *nonce);
        }
        nonce = res.request.nonce;
    }
    EXPECT_NE(*nonce, sample_request().nonce);
}

TEST(RemoteOpen, ParsesHostAndPort) {
    using client::parse_host_port;
    EXPECT_EQ(parse_host_port("bastion-7"),
              std::make_pair(std::string("bastion-7"), std::uint16_t{62201}));
    EXPECT_EQ(parse_host_port("bastion-7:4000").second, 4000);
    EXPECT_EQ(parse_host_port("[2001:db8::1]:4000").first, "2001:db8::1");
    EXPECT_EQ(parse_host_port("2001:db8::1").first, "2001:db8::1");
    EXPECT_THROW(parse_host_port("bastion-7:0"), std::invalid_argument);
    EXPECT_THROW(parse_host_port("bastion-7:x"), std::invalid_argument);
    EXPECT_THROW(parse_host_port("[::1"), std::invalid_argument);
}

}  // namespace
}  // namespace jitd::remote::ssh
