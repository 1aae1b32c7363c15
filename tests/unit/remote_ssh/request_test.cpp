// The request encoding: round trips, and one byte form per request.
#include <gtest/gtest.h>

#include "remote/ssh/ssh_request.hpp"
#include "remote/ssh/ssh_wire.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::remote::ssh {
namespace {

using test::addr;
using test::sample_request;

TEST(SignedRequestEncoding, RoundTripsEveryField) {
    SignedRequest r = sample_request();
    EXPECT_EQ(decode_request(encode_request(r)), r);
    r.protocol.reset();
    r.source = addr("2001:db8::/48");
    r.end = SignedRequest::End::until;
    r.end_value = 1893456000;
    r.user = "alice";
    EXPECT_EQ(decode_request(encode_request(r)), r);
    r.source.reset();
    r.end = SignedRequest::End::default_duration;
    r.end_value = 0;
    r.reason.clear();
    EXPECT_EQ(decode_request(encode_request(r)), r);
}

TEST(PendingRequestId, IsTheNoncesAndLooksLikeAnyOther) {
    std::array<std::uint8_t, 16> nonce{};
    nonce[0] = 1;
    const std::string id = pending_request_id(nonce);
    EXPECT_EQ(id, pending_request_id(nonce)) << "the client and jitd compute the same";
    ASSERT_EQ(id.size(), 14u) << id;
    EXPECT_EQ(id.substr(0, 2), "r-");
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 2), std::string::npos) << id;
    nonce[15] = 1;
    EXPECT_NE(pending_request_id(nonce), id);
}

TEST(SignedRequestEncoding, StartsWithMagicAndVersion) {
    const std::string bytes = encode_request(sample_request());
    EXPECT_EQ(bytes.substr(0, 9), std::string("JITD-REQ\x01"));
    // magic, version, host, port, protocol, family+addr+len, end kind+value, reason, user, time,
    // nonce
    EXPECT_EQ(bytes.size(), 8u + 1 + 4 + 9 + 2 + 1 + 6 + 9 + 4 + 6 + 4 + 8 + 16);
}

TEST(SignedRequestEncoding, RefusesWhatEncodeWouldNotMake) {
    const std::string good = encode_request(sample_request());
    EXPECT_THROW(decode_request(good + "x"), WireError);                       // trailing byte
    EXPECT_THROW(decode_request(good.substr(0, good.size() - 1)), WireError);  // truncated
    std::string v2 = good;
    v2[8] = 2;
    EXPECT_THROW(decode_request(v2), WireError);
    std::string magic = good;
    magic[0] = 'X';
    EXPECT_THROW(decode_request(magic), WireError);
    SignedRequest r = sample_request();
    r.source = addr("192.0.2.0/24");
    std::string host_bits = encode_request(r);
    host_bits[8 + 1 + 4 + 9 + 2 + 1 + 1 + 3] = 1;  // 192.0.2.1/24
    EXPECT_THROW(decode_request(host_bits), WireError);
}

TEST(SignedRequestEncoding, RefusesBadFields) {
    SignedRequest r = sample_request();
    r.port = 0;
    EXPECT_THROW(encode_request(r), WireError);
    r = sample_request();
    r.host = "two words";
    EXPECT_THROW(encode_request(r), WireError);
    r = sample_request();
    r.end_value = 0;
    EXPECT_THROW(encode_request(r), WireError);
    r = sample_request();
    r.reason.assign(601, 'x');
    EXPECT_THROW(encode_request(r), WireError);
}

TEST(SignedRequestDatagram, SplitsAndBoundsTheSize) {
    const std::string d = encode_datagram("JITD-REQ-abc", "sig");
    EXPECT_TRUE(looks_like_signed_request(d));
    const auto parts = split_datagram(d);
    EXPECT_EQ(parts.request, "JITD-REQ-abc");
    EXPECT_EQ(parts.sshsig, "sig");
    EXPECT_THROW(split_datagram(d + "x"), WireError);
    EXPECT_THROW(split_datagram(encode_datagram(std::string(1300, 'a'), "s")), WireError);
    EXPECT_FALSE(looks_like_signed_request("+base64 fwknop data"));
}

TEST(SshWire, Base64MatchesTheStandard) {
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("foob", false), "Zm9vYg");
    EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
    EXPECT_EQ(base64_decode("Zm9vYmFy"), "foobar");
    EXPECT_THROW(base64_decode("Zm9v!mFy"), WireError);
    EXPECT_THROW(base64_decode("Zm9=YmFy"), WireError);
}

}  // namespace
}  // namespace jitd::remote::ssh
