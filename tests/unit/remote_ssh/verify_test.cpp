// Requests signed by `ssh-keygen -Y sign` over our encoding, checked by verify_signed_request.
#include <gtest/gtest.h>

#include "remote/ssh/ssh_key.hpp"
#include "remote/ssh/ssh_verify.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::remote::ssh {
namespace {

using namespace test;

const config::Cidr kSender = addr("192.0.2.10");

std::string signed_datagram(const std::string& key, const SignedRequest& r,
                            const std::string& ns = "jitd") {
    const std::string req = encode_request(r);
    return encode_datagram(req, keygen_sign(keys().dir, key, req, ns));
}

VerifyResult verify(const std::string& datagram, const Keyring& ring,
                    const config::Cidr& sender = kSender) {
    return verify_signed_request(datagram, ring, kHostNames, now(), sender);
}

// ssh-keygen -l's fingerprint of a public key file.
std::string keygen_fingerprint(const std::string& key) {
    const std::string out = jitd::test::run_ok({"ssh-keygen", "-l", "-f", key + ".pub"});
    const auto start = out.find("SHA256:");
    return out.substr(start, out.find(' ', start) - start);
}

TEST(VerifySignedRequest, AcceptsSshKeygenSignaturesOfEveryKeyType) {
    const Keyring ring = alice_keyring();
    for (const auto* key : {&keys().ed25519, &keys().ecdsa256, &keys().ecdsa384, &keys().rsa3072}) {
        SCOPED_TRACE(*key);
        const SignedRequest r = sample_request();
        const auto res = verify(signed_datagram(*key, r), ring);
        ASSERT_TRUE(res) << res.reason;
        EXPECT_EQ(res.identity.user, "alice");
        EXPECT_EQ(res.identity.fingerprint, keygen_fingerprint(*key));
        EXPECT_FALSE(res.identity.certificate);
        EXPECT_EQ(res.request, r);
    }
}

TEST(VerifySignedRequest, RefusesATamperedByteAnywhere) {
    const Keyring ring = alice_keyring();
    for (const auto* key : {&keys().ed25519, &keys().ecdsa256, &keys().ecdsa384, &keys().rsa3072}) {
        const std::string good = signed_datagram(*key, sample_request());
        ASSERT_TRUE(verify(good, ring));
        // In the request's port, and in the last byte of the signature.
        for (std::size_t at : {std::size_t{4 + 8 + 1 + 4 + 9 + 1}, good.size() - 1}) {
            std::string bad = good;
            bad[at] = static_cast<char>(bad[at] ^ 0x01);
            const auto res = verify(bad, ring);
            EXPECT_EQ(res.refusal, Refusal::bad_signature)
                << *key << " " << at << ": " << res.reason;
        }
    }
}

TEST(VerifySignedRequest, RefusesAnotherNamespace) {
    const auto res =
        verify(signed_datagram(keys().ed25519, sample_request(), "file"), alice_keyring());
    EXPECT_EQ(res.refusal, Refusal::wrong_namespace) << res.reason;
}

TEST(VerifySignedRequest, RefusesAnUnlistedKey) {
    const auto res = verify(signed_datagram(keys().unlisted, sample_request()), alice_keyring());
    EXPECT_EQ(res.refusal, Refusal::unknown_key);
    EXPECT_NE(res.reason.find(keygen_fingerprint(keys().unlisted)), std::string::npos)
        << res.reason;
}

TEST(VerifySignedRequest, RefusesAnotherHostsName) {
    SignedRequest r = sample_request();
    r.host = "bastion-8";
    const auto res = verify(signed_datagram(keys().ed25519, r), alice_keyring());
    EXPECT_EQ(res.refusal, Refusal::wrong_host) << res.reason;
    r.host = "BASTION-7.example.net";  // host names compare without case
    EXPECT_TRUE(verify(signed_datagram(keys().ed25519, r), alice_keyring()));
}

TEST(VerifySignedRequest, RefusesAStaleOrFutureTime) {
    SignedRequest r = sample_request();
    // Far from max_age (120s) either way, so a slow machine cannot move the result.
    r.client_time -= 600;
    EXPECT_EQ(verify(signed_datagram(keys().ed25519, r), alice_keyring()).refusal, Refusal::stale);
    r.client_time += 1200;
    EXPECT_EQ(verify(signed_datagram(keys().ed25519, r), alice_keyring()).refusal, Refusal::stale);
}

TEST(VerifySignedRequest, FromOptionLimitsSenderAndRequestedSource) {
    const Keyring ring = alice_keyring("from=\"192.0.2.0/24,!192.0.2.99\"");
    const std::string d = signed_datagram(keys().ed25519, sample_request());
    EXPECT_TRUE(verify(d, ring));
    const auto outside = verify(d, ring, addr("198.51.100.1"));
    EXPECT_EQ(outside.refusal, Refusal::source_not_allowed);
    EXPECT_NE(outside.reason.find("excludes the sender 198.51.100.1"), std::string::npos)
        << outside.reason;
    EXPECT_EQ(verify(d, ring, addr("192.0.2.99")).refusal, Refusal::source_not_allowed);
    // The sender is allowed, but the network asked for is wider than from= allows.
    SignedRequest wide = sample_request();
    wide.source = addr("192.0.0.0/16");
    const auto res = verify(signed_datagram(keys().ed25519, wide), ring);
    EXPECT_EQ(res.refusal, Refusal::source_not_allowed);
    EXPECT_NE(res.reason.find("requested source"), std::string::npos) << res.reason;
    // IPv4-mapped IPv6 senders count as their IPv4 address.
    EXPECT_TRUE(verify(d, ring, addr("::ffff:192.0.2.10")));
}

TEST(VerifySignedRequest, RequestedUserMustOwnTheKey) {
    SignedRequest r = sample_request();
    r.user = "bob";
    const auto res = verify(signed_datagram(keys().ed25519, r), alice_keyring());
    EXPECT_EQ(res.refusal, Refusal::wrong_user) << res.reason;
    r.user = "alice";
    EXPECT_TRUE(verify(signed_datagram(keys().ed25519, r), alice_keyring()));
}

TEST(VerifySignedRequest, RefusesOversizeAndGarbage) {
    const Keyring ring = alice_keyring();
    EXPECT_EQ(verify(std::string(1233, 'a'), ring).refusal, Refusal::oversize);
    EXPECT_EQ(verify("", ring).refusal, Refusal::malformed);
    EXPECT_EQ(verify(encode_datagram("x", "SSHSIG"), ring).refusal, Refusal::malformed);
    EXPECT_STREQ(refusal_name(Refusal::source_not_allowed), "source_not_allowed");
}

}  // namespace
}  // namespace jitd::remote::ssh
