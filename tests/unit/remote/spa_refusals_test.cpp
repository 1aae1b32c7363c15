// Every refusal cause, each from a packet that differs from a good one in exactly one way.
#include <gtest/gtest.h>

#include <set>

#include "remote/fwknop_spa.hpp"
#include "tests/unit/remote/spa_builder.hpp"

namespace jitd::remote {
namespace {

using testing::b64;
using testing::bytes_of;
using testing::make_packet;
using testing::spa_body;
using testing::with_digest;

const FwknopKey kKey{"alice", "alice.fwknop", bytes_of("enc-key-enc-key-enc-key"),
                     bytes_of("hmac-key-hmac-key-hmac-key-hmac-key-0123")};
const FwknopKey kKeys[] = {kKey};

std::string good_plaintext() {
    return with_digest(spa_body("root", "1796140000", "10.1.2.3,tcp/22"));
}
std::string packet(std::string_view pt) {
    return make_packet(kKey.encryption, kKey.hmac, pt);
}

SpaDecode decode(std::string_view wire) {
    return decode_spa(wire, kKeys);
}

// A refusal after authentication: the key is known and the replay digest is set.
void expect_authenticated_refusal(std::string_view wire, SpaRefusal want) {
    const SpaDecode d = decode(wire);
    EXPECT_FALSE(d.message);
    ASSERT_TRUE(d.refusal);
    EXPECT_EQ(to_string(*d.refusal), to_string(want));
    EXPECT_TRUE(d.authenticated);
    EXPECT_NE(d.replay_digest, (std::array<unsigned char, 32>{}));
}

void expect_plaintext_refusal(const std::string& pt, SpaRefusal want) {
    const SpaDecode d = parse_spa_plaintext(pt);
    EXPECT_FALSE(d.message) << pt;
    ASSERT_TRUE(d.refusal) << pt;
    EXPECT_EQ(to_string(*d.refusal), to_string(want)) << pt;
    // And through the whole decoder.
    expect_authenticated_refusal(packet(pt), want);
}

TEST(SpaRefusals, TheGoodPacketIsAccepted) {
    const SpaDecode d = decode(packet(good_plaintext()));
    ASSERT_TRUE(d.message);
    EXPECT_FALSE(d.refusal);
}

TEST(SpaRefusals, NamesAreDistinctAndStable) {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < kSpaRefusalCount; ++i)
        names.insert(to_string(static_cast<SpaRefusal>(i)));
    EXPECT_EQ(names.size(), kSpaRefusalCount);
    EXPECT_EQ(to_string(SpaRefusal::too_short), "too_short");
    EXPECT_EQ(to_string(SpaRefusal::unsupported_type), "unsupported_type");
}

TEST(SpaRefusals, LengthIsCheckedFirst) {
    EXPECT_EQ(decode(std::string(139, 'A')).refusal, SpaRefusal::too_short);
    EXPECT_EQ(decode("").refusal, SpaRefusal::too_short);
    EXPECT_EQ(decode(std::string(1501, 'A')).refusal, SpaRefusal::too_long);
    EXPECT_EQ(decode(std::string(1501, '=')).refusal, SpaRefusal::too_long);
    EXPECT_EQ(decode(std::string(140, 'A')).refusal, SpaRefusal::no_key_matched);
}

TEST(SpaRefusals, OnlyTheBase64AlphabetWithoutPadding) {
    const std::string good = packet(good_plaintext());
    for (const char bad : {'=', '\n', '\0', '-', '_', ' ', '\x80'}) {
        std::string w = good;
        w[w.size() / 2] = bad;
        const SpaDecode d = decode(w);
        EXPECT_EQ(d.refusal, SpaRefusal::bad_alphabet) << int(bad);
        EXPECT_FALSE(d.authenticated);
    }
    EXPECT_EQ(decode(good + "\n").refusal, SpaRefusal::bad_alphabet);
}

TEST(SpaRefusals, APacketCarryingTheSaltedPrefixIsRefused) {
    // With the prefix the HMAC would still verify, under a different replay digest.
    EXPECT_EQ(decode("U2FsdGVkX1" + packet(good_plaintext())).refusal, SpaRefusal::salted_prefix);
}

TEST(SpaRefusals, NoKeyMatched) {
    const std::string good = packet(good_plaintext());
    std::string flipped = good;
    flipped[20] = flipped[20] == 'A' ? 'B' : 'A';
    EXPECT_EQ(decode(flipped).refusal, SpaRefusal::no_key_matched);
    std::string tag_flipped = good;
    tag_flipped.back() = tag_flipped.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(decode(tag_flipped).refusal, SpaRefusal::no_key_matched);
    EXPECT_EQ(decode(good + "x").refusal, SpaRefusal::no_key_matched);
    EXPECT_EQ(decode(good.substr(1)).refusal, SpaRefusal::no_key_matched);
    const FwknopKey other{"bob", "bob.fwknop", kKey.encryption,
                          bytes_of("another-hmac-key-another-hmac-key-xyz")};
    const FwknopKey others[] = {other};
    const SpaDecode d = decode_spa(good, others);
    EXPECT_EQ(d.refusal, SpaRefusal::no_key_matched);
    EXPECT_FALSE(d.authenticated);
    EXPECT_EQ(d.replay_digest, (std::array<unsigned char, 32>{}));
    EXPECT_EQ(decode_spa(good, {}).refusal, SpaRefusal::no_key_matched);
}

TEST(SpaRefusals, BadCiphertext) {
    // Authenticated, but the ciphertext is not whole AES blocks.
    const std::string good = packet(good_plaintext());
    const std::string body = good.substr(0, good.size() - 43);
    expect_authenticated_refusal(testing::tag_wire(kKey.hmac, body.substr(0, body.size() - 4)),
                                 SpaRefusal::bad_ciphertext);
    // Or not "Salted__" once the prefix is back on (the wire's first char decides the 8th byte).
    std::string wrong_magic = body;
    wrong_magic[0] = 'A';
    expect_authenticated_refusal(testing::tag_wire(kKey.hmac, wrong_magic),
                                 SpaRefusal::bad_ciphertext);
    // Or an impossible base64 length (4n+1 characters).
    expect_authenticated_refusal(testing::tag_wire(kKey.hmac, body + "A"),
                                 SpaRefusal::bad_ciphertext);
    // Or nothing after the salt.
    expect_authenticated_refusal(
        testing::tag_wire(kKey.hmac, body.substr(0, 12) + std::string(130, 'A')),
        SpaRefusal::bad_ciphertext);
}

TEST(SpaRefusals, StrictPadding) {
    const std::string pt = good_plaintext();
    auto padded_with = [&](const std::string& tail) {
        std::string p = pt;
        const std::size_t room = 16 - (p.size() + tail.size()) % 16;
        p.append(room % 16, 'x');
        return p + tail;
    };
    expect_authenticated_refusal(
        testing::seal(kKey.encryption, kKey.hmac, padded_with(std::string(1, '\0'))),
        SpaRefusal::bad_padding);
    expect_authenticated_refusal(testing::seal(kKey.encryption, kKey.hmac, padded_with("\x11")),
                                 SpaRefusal::bad_padding);
    expect_authenticated_refusal(
        testing::seal(kKey.encryption, kKey.hmac, padded_with("\x01\x03\x03")),
        SpaRefusal::bad_padding);
    // The right HMAC key but the wrong encryption key decrypts to noise.
    const FwknopKey wrong_enc{"alice", "a", bytes_of("not-the-encryption-key"), kKey.hmac};
    const FwknopKey wrong[] = {wrong_enc};
    const SpaDecode d = decode_spa(packet(pt), wrong);
    EXPECT_TRUE(d.authenticated);
    EXPECT_FALSE(d.message);
}

TEST(SpaRefusals, BadDigest) {
    const std::string body = spa_body("root", "1796140000", "10.1.2.3,tcp/22");
    std::string pt = with_digest(body);
    pt[pt.size() - 5] = pt[pt.size() - 5] == 'A' ? 'B' : 'A';
    expect_plaintext_refusal(pt, SpaRefusal::bad_digest);
    expect_plaintext_refusal(with_digest(body).substr(0, with_digest(body).size() - 1),
                             SpaRefusal::bad_digest);
    expect_plaintext_refusal(with_digest(body + ":"), SpaRefusal::malformed);
    expect_plaintext_refusal(body, SpaRefusal::bad_digest);  // no digest at all
    // The digest of another body.
    const std::string other = with_digest(spa_body("root", "1796140000", "10.1.2.3,tcp/23"));
    expect_plaintext_refusal(body + other.substr(other.rfind(':')), SpaRefusal::bad_digest);
}

TEST(SpaRefusals, MalformedFields) {
    const std::string ts = "1796140000";
    const std::string msg = "10.1.2.3,tcp/22";
    auto body = [&](std::string_view user, std::string_view t, std::string_view m,
                    std::string_view type = "1", std::optional<std::string_view> timeout = {},
                    std::string_view rand = "1234567890123456", std::string_view ver = "3.0.0") {
        return with_digest(spa_body(user, t, m, type, timeout, rand, ver));
    };
    const std::vector<std::string> bad = {
        body("root", ts, msg, "1", {}, "123456789012345"),    // 15-digit rand
        body("root", ts, msg, "1", {}, "12345678901234567"),  // 17 digits
        body("root", ts, msg, "1", {}, "12345678901234a6"),
        body("a:b", ts, msg),  // fwknop's forbidden characters
        body("a,b", ts, msg),
        body("", ts, msg),
        body(std::string(49, 'u'), ts, msg),  // 68 base64 chars > 64
        body("root", "-5", msg),
        body("root", "+5", msg),
        body("root", "", msg),
        body("root", "1234567890123", msg),  // 13 digits
        body("root", ts, msg, "1", {}, "1234567890123456", ""),
        body("root", ts, msg, "1", {}, "1234567890123456", "123456789"),
        body("root", ts, msg, "x"),
        body("root", ts, msg, "7"),
        body("root", ts, msg, "-1"),
        body("root", ts, msg, "1", "90"),  // type 1 with a timeout field
        body("root", ts, msg, "3"),        // type 3 without
        body("root", ts, msg, "3", "0"),
        body("root", ts, msg, "3", "65537"),
        body("root", ts, msg, "3", "x"),
        body("root", ts, "2001:db8::1,tcp/22"),
        body("root", ts, "999.1.1.1,tcp/22"),
        body("root", ts, "10.1.2,tcp/22"),
        body("root", ts, "010.1.2.3,tcp/22"),
        body("root", ts, "10.1.2.3"),
        body("root", ts, "10.1.2.3,"),
        body("root", ts, "10.1.2.3,tcp/0"),
        body("root", ts, "10.1.2.3,tcp/65536"),
        body("root", ts, "10.1.2.3,tcp/"),
        body("root", ts, "10.1.2.3,icmp/0"),
        body("root", ts, "10.1.2.3,none/0"),
        body("root", ts, "10.1.2.3,TCP/22"),
        body("root", ts, "10.1.2.3,tcp/22,"),
        body("root", ts, "10.1.2.3 ,tcp/22"),
        body("root", ts, std::string(200, 'x')),  // message over 256 base64 chars
        with_digest("1234567890123456:" + b64("root") + ":" + ts + ":3.0.0:1:" + b64(msg) + "="),
        with_digest("1234567890123456:" + b64("root") + ":" + ts + ":3.0.0:1"),
        with_digest("1234567890123456:" + b64("root") + ":" + ts + ":3.0.0:1:" + b64(msg) + ":" +
                    b64("server-auth")),
        with_digest("1234567890123456:" + b64("root") + ":" + ts +
                    ":3.0.0:1:" + b64("10.1.2.3,tcp/22\n")),
        with_digest("1234567890123456:" + b64("ro\tt") + ":" + ts + ":3.0.0:1:" + b64(msg)),
        with_digest("1234567890123456:" + b64("root") + ":1\x01:3.0.0:1:" + b64(msg)),
    };
    for (const auto& pt : bad) expect_plaintext_refusal(pt, SpaRefusal::malformed);
}

TEST(SpaRefusals, EdgesThatAreFine) {
    const std::string ts = "1796140000";
    for (const std::string& pt : {
             with_digest(spa_body("a b", ts, "10.1.2.3,tcp/22")),
             with_digest(spa_body(std::string(48, 'u'), ts, "10.1.2.3,tcp/1")),
             with_digest(spa_body("root", ts, "255.255.255.255,udp/65535")),
             with_digest(spa_body("root", ts, "0.0.0.0,tcp/22,udp/53,tcp/2222")),
             with_digest(spa_body("root", ts, "10.1.2.3,tcp/22", "3", "65536")),
             with_digest(
                 spa_body("root", "0", "10.1.2.3,tcp/22", "1", {}, "0000000000000000", "9")),
         }) {
        const SpaDecode d = parse_spa_plaintext(pt);
        EXPECT_TRUE(d.message) << pt << ": " << (d.refusal ? to_string(*d.refusal) : "");
    }
}

TEST(SpaRefusals, CommandAndNatTypesAreUnsupported) {
    for (const char* type : {"0", "2", "4", "5", "6", "00"}) {
        expect_plaintext_refusal(
            with_digest(spa_body("root", "1796140000", "10.1.2.3,echo hi", type)),
            SpaRefusal::unsupported_type);
    }
}

}  // namespace
}  // namespace jitd::remote
