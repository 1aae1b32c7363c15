// Security-key (FIDO) signatures. No authenticator here, so the test plays one: it makes the
// key pair with libcrypto and signs SHA256(application) || flags || counter || SHA256(data) as
// PROTOCOL.u2f describes, then the verifier judges the flags.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>

#include "remote/ssh/ssh_cert.hpp"
#include "remote/ssh/ssh_key.hpp"
#include "remote/ssh/ssh_sig.hpp"
#include "remote/ssh/ssh_verify.hpp"
#include "remote/ssh/ssh_wire.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::remote::ssh {
namespace {

using namespace test;

std::string raw_sign(EVP_PKEY* key, const EVP_MD* md, std::string_view data) {
    MdCtx ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key), 1);
    EXPECT_EQ(EVP_DigestSign(ctx.get(), nullptr, &len, p, data.size()), 1);
    std::string sig(len, '\0');
    EXPECT_EQ(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, p,
                             data.size()),
              1);
    sig.resize(len);
    return sig;
}

class FakeSecurityKey : public Signer {
  public:
    FakeSecurityKey(bool ecdsa, std::uint8_t flags) : ecdsa_(ecdsa), flags_(flags) {
        key_ = own_pkey(ecdsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                              : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
        WireWriter w;
        if (ecdsa) {
            unsigned char q[133];
            std::size_t n = 0;
            EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, q, sizeof q, &n);
            w.string("sk-ecdsa-sha2-nistp256@openssh.com").string("nistp256");
            w.string(std::string_view(reinterpret_cast<char*>(q), n));
        } else {
            unsigned char pk[32];
            std::size_t n = sizeof pk;
            EVP_PKEY_get_raw_public_key(key_.get(), pk, &n);
            w.string("sk-ssh-ed25519@openssh.com")
                .string(std::string_view(reinterpret_cast<char*>(pk), n));
        }
        w.string("ssh:");
        blob_ = w.take();
    }
    std::string public_key_blob() const override { return blob_; }
    std::string label() const override { return "fake security key"; }
    std::string sign(std::string_view data) override {
        WireWriter signed_data;
        signed_data.raw(sha256("ssh:")).u8(flags_).u32(7).raw(sha256(data));
        WireWriter out;
        if (ecdsa_) {
            const std::string der = raw_sign(key_.get(), EVP_sha256(), signed_data.data());
            const auto* p = reinterpret_cast<const unsigned char*>(der.data());
            EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
            auto mag = [](const BIGNUM* b) {
                std::string s(static_cast<std::size_t>(BN_num_bytes(b)), '\0');
                BN_bn2bin(b, reinterpret_cast<unsigned char*>(s.data()));
                return s;
            };
            WireWriter rs;
            rs.mpint(mag(ECDSA_SIG_get0_r(sig.get()))).mpint(mag(ECDSA_SIG_get0_s(sig.get())));
            out.string("sk-ecdsa-sha2-nistp256@openssh.com").string(rs.data());
        } else {
            out.string("sk-ssh-ed25519@openssh.com")
                .string(raw_sign(key_.get(), nullptr, signed_data.data()));
        }
        out.u8(flags_).u32(7);
        return out.take();
    }

  private:
    bool ecdsa_;
    std::uint8_t flags_;
    Pkey key_;
    std::string blob_;
};

VerifyResult check(FakeSecurityKey& key, const std::string& options,
                   const VerifyPolicy& policy = {}) {
    Keyring ring;
    LoadErrors errors;
    const std::string line =
        options + (options.empty() ? "" : " ") +
        std::string(key_type_name(parse_public_key(key.public_key_blob()).type)) + " " +
        base64_encode(key.public_key_blob()) + "\n";
    add_authorized_keys(ring, "alice", line, "alice.pub", errors);
    EXPECT_TRUE(errors.empty()) << errors[0];
    const std::string req = encode_request(sample_request());
    return verify_signed_request(encode_datagram(req, sign_sshsig(key, kJitdNamespace, req)), ring,
                                 kHostNames, now(), addr("192.0.2.10"), policy);
}

TEST(SecurityKeys, TouchedSignaturesVerify) {
    for (bool ecdsa : {false, true}) {
        FakeSecurityKey key(ecdsa, 0x01);
        const auto res = check(key, "");
        EXPECT_TRUE(res) << ecdsa << ": " << res.reason;
        EXPECT_EQ(res.identity.fingerprint, fingerprint(key.public_key_blob()));
    }
}

TEST(SecurityKeys, UserPresenceIsRequiredUnlessWaived) {
    for (bool ecdsa : {false, true}) {
        FakeSecurityKey key(ecdsa, 0x00);
        const auto res = check(key, "");
        EXPECT_EQ(res.refusal, Refusal::bad_signature);
        EXPECT_NE(res.reason.find("user presence"), std::string::npos) << res.reason;
        EXPECT_TRUE(check(key, "no-touch-required"));
        VerifyPolicy relaxed;
        relaxed.require_user_presence = false;
        EXPECT_TRUE(check(key, "", relaxed));
    }
}

TEST(SecurityKeys, VerifyRequiredNeedsTheVerifiedFlag) {
    FakeSecurityKey touched(false, 0x01);
    EXPECT_EQ(check(touched, "verify-required").refusal, Refusal::bad_signature);
    FakeSecurityKey verified(false, 0x05);
    EXPECT_TRUE(check(verified, "verify-required"));
}

TEST(SecurityKeys, ChangedFlagsBreakTheSignature) {
    FakeSecurityKey key(false, 0x01);
    Keyring ring;
    LoadErrors errors;
    add_authorized_keys(ring, "alice",
                        "no-touch-required sk-ssh-ed25519@openssh.com " +
                            base64_encode(key.public_key_blob()) + "\n",
                        "alice.pub", errors);
    const std::string req = encode_request(sample_request());
    std::string sig = sign_sshsig(key, kJitdNamespace, req);
    sig[sig.size() - 5] = 0x00;  // the flags byte, before the 4-byte counter
    const auto res = verify_signed_request(encode_datagram(req, sig), ring, kHostNames, now(),
                                           addr("192.0.2.10"));
    EXPECT_EQ(res.refusal, Refusal::bad_signature) << res.reason;
}

}  // namespace
}  // namespace jitd::remote::ssh
