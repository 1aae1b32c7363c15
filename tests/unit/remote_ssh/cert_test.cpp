// OpenSSH user certificates made by `ssh-keygen -s`, used to sign with `ssh-keygen -Y sign`.
#include <gtest/gtest.h>

#include "remote/ssh/ssh_verify.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::remote::ssh {
namespace {

using namespace test;

const config::Cidr kCertSender = addr("192.0.2.10");

class Certificates : public ::testing::Test {
  protected:
    // A fresh key per test, so each certificate file belongs to one test.
    void SetUp() override { key_ = make_key(dir_, "user", "ed25519"); }

    VerifyResult sign_and_verify(const std::string& cert, const SignedRequest& r = sample_request(),
                                 const config::Cidr& sender = kCertSender) {
        const std::string req = encode_request(r);
        const std::string d = encode_datagram(req, keygen_sign(dir_, cert, req));
        return verify_signed_request(d, ring_, kHostNames, now(), sender);
    }
    std::string cert(const std::string& principals, const std::string& validity,
                     const std::vector<std::string>& extra = {},
                     const std::string& ca = keys().ca) {
        return make_cert(ca, key_, principals, validity, extra);
    }

    TempDir dir_;
    std::string key_;
    Keyring ring_ = alice_keyring();
};

TEST_F(Certificates, ValidCertificateNamesItsPrincipalAndEnd) {
    const auto res = sign_and_verify(cert("alice", "+5m"));
    ASSERT_TRUE(res) << res.reason;
    EXPECT_EQ(res.identity.user, "alice");
    EXPECT_TRUE(res.identity.certificate);
    EXPECT_EQ(res.identity.key_type, "ssh-ed25519-cert-v01@openssh.com");
    EXPECT_EQ(res.identity.cert_key_id, "test-id");
    EXPECT_EQ(res.identity.cert_serial, 42u);
    ASSERT_TRUE(res.identity.valid_before);
    EXPECT_GT(*res.identity.valid_before, now() + std::chrono::minutes(4));
    EXPECT_LE(*res.identity.valid_before, now() + std::chrono::minutes(6));
}

TEST_F(Certificates, ExpiredAndNotYetValidAreRefused) {
    EXPECT_EQ(sign_and_verify(cert("alice", "-10m:-5m")).refusal, Refusal::certificate_expired);
    EXPECT_EQ(sign_and_verify(cert("alice", "+5m:+10m")).refusal,
              Refusal::certificate_not_yet_valid);
}

TEST_F(Certificates, PrincipalMustBeTheRequestedUser) {
    SignedRequest r = sample_request();
    r.user = "alice";
    const auto res = sign_and_verify(cert("bob", "+5m"), r);
    EXPECT_EQ(res.refusal, Refusal::wrong_user) << res.reason;
    // Several principals: the request must say which.
    const std::string both = cert("alice,carol", "+5m");
    EXPECT_EQ(sign_and_verify(both).refusal, Refusal::wrong_user);
    r.user = "carol";
    const auto chosen = sign_and_verify(both, r);
    ASSERT_TRUE(chosen) << chosen.reason;
    EXPECT_EQ(chosen.identity.user, "carol");
}

TEST_F(Certificates, CriticalOptionsJitdDoesNotKnowAreRefused) {
    const auto unknown = sign_and_verify(cert("alice", "+5m", {"-O", "critical:frob@example.com"}));
    EXPECT_EQ(unknown.refusal, Refusal::certificate_option);
    EXPECT_NE(unknown.reason.find("frob@example.com"), std::string::npos) << unknown.reason;
    const auto forced = sign_and_verify(cert("alice", "+5m", {"-O", "force-command=/bin/true"}));
    EXPECT_EQ(forced.refusal, Refusal::certificate_option);
    EXPECT_NE(forced.reason.find("force-command"), std::string::npos) << forced.reason;
    // Extensions are ignored, known or not.
    EXPECT_TRUE(sign_and_verify(cert("alice", "+5m", {"-O", "extension:frob@example.com"})));
}

TEST_F(Certificates, SourceAddressLimitsTheSender) {
    const std::string c = cert("alice", "+5m", {"-O", "source-address=10.0.0.0/8,192.0.2.10"});
    EXPECT_TRUE(sign_and_verify(c));
    const auto res = sign_and_verify(c, sample_request(), addr("198.51.100.7"));
    EXPECT_EQ(res.refusal, Refusal::source_not_allowed);
    EXPECT_NE(res.reason.find("source-address"), std::string::npos) << res.reason;
}

TEST_F(Certificates, AnotherCaOrAHostCertificateIsRefused) {
    EXPECT_EQ(sign_and_verify(cert("alice", "+5m", {}, keys().other_ca)).refusal,
              Refusal::unknown_key);
    EXPECT_EQ(sign_and_verify(cert("alice", "+5m", {"-h"})).refusal, Refusal::certificate_invalid);
}

TEST_F(Certificates, TamperedCertificateFailsTheCaSignature) {
    const std::string req = encode_request(sample_request());
    std::string sig = keygen_sign(dir_, cert("alice", "+5m"), req);
    // The key id "test-id" sits inside the certificate: change one letter.
    const auto at = sig.find("test-id");
    ASSERT_NE(at, std::string::npos);
    sig[at] = 'b';
    const auto res =
        verify_signed_request(encode_datagram(req, sig), ring_, kHostNames, now(), kCertSender);
    EXPECT_EQ(res.refusal, Refusal::certificate_invalid) << res.reason;
}

}  // namespace
}  // namespace jitd::remote::ssh
