// Known packets decode to their documented fields: packets of the Debian fwknop 2.6.10 client
// captured on the wire (V1-V4), fwknop's own test-suite packets from older clients, and D1,
// a deterministic packet that Debian's libfko accepted.
#include <gtest/gtest.h>

#include "remote/base64.hpp"
#include "remote/fwknop_spa.hpp"
#include "tests/unit/remote/spa_builder.hpp"

namespace jitd::remote {
namespace {

using testing::b64;
using testing::bytes_of;
using testing::from_base64;

FwknopKey key_b64(std::string_view enc, std::string_view hmac) {
    return {"u", "u.fwknop", from_base64(enc), from_base64(hmac)};
}
FwknopKey key_pass(std::string_view enc, std::string_view hmac) {
    return {"u", "u.fwknop", bytes_of(enc), bytes_of(hmac)};
}

const FwknopKey kV1Key = key_b64(
    "Mhew4+a8X7wS7lNgfWwe8452FANEAWUxQtnhf1LbLSE=",
    "NgyxUSIlaxI/rYR5Jnm7/XFskGfHQ+cKeFHJ34S9Q16bCaih/h2htcDTfPMHWmlMqHaA95KBx3GNaqppH/6pLA==");
constexpr std::string_view kV1 =
    "9zWhWdOKUXK/BWVSNBLDmxhJo1B9lfaOBaw/mtTwFbbj4mP3dk9KA9dzGzglvpv8XqLEUcFkKDNO7BTs3AncvQC04jAsB"
    "QjADHTiyM79fB2LcsWFt4A0qFFKp+bYS5nJ2Bq70Qz8he/hOrDxAHP76ngKLCDNlTMBQwUAambrOGp1zM4i2ho4ZY+Lfy"
    "DM8vE2kIXU0k8lzP8U";
const FwknopKey kPassKey = key_pass("jitd-enc-passphrase", "jitd-hmac-passphrase");
constexpr std::string_view kV2 =
    "+65tViZ8LsAyuCWE4is5nipuMagz/qa7h+lJ9qY1p4FezUTdZMf9ZkBCDeyhwXtE7TVr/Doa3u7lt9O79ls6zM79+Q1G/f"
    "/AAi3bfOajixuxzGjhGoL1mNeHPzGwZnYniQHRGCfjm87QU0U74mvPmuHGB1i0PDrXdnZb773MvPhmqnkl9nIKg2aIXpd"
    "wqJLhN7CmoZmpAveYmTP8dqBsBTKp4Flb7PGqI";
constexpr std::string_view kD1 =
    "8AAQIDBAUGB/vwsRIHZ8rlptyGnlXYe3NZ1bglWS0tl5sy6+k6WlHPtV8K/lHcD8sd36pzWje7gaLRbQUYRqlteLd2puio"
    "EpkLL7cUnK427/8EVpeToI0G6sG4ouZ3mvw3aj8cI4OL+jMk6iAORgjbuXbRK13QI5Eb36SNBBGYbem2wOm4p+UUQ6XIrh"
    "i8FTVyYxtbTvwRPkuPgzyGl+PecrHY1MPTROY";

TEST(SpaVectors, V1AccessMessageWithBase64Keys) {
    const FwknopKey keys[] = {kV1Key};
    const SpaDecode d = decode_spa(kV1, keys);
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
    EXPECT_FALSE(d.refusal);
    EXPECT_TRUE(d.authenticated);
    EXPECT_EQ(d.message->client_user, "root");
    EXPECT_EQ(d.message->timestamp, 1796148841);
    EXPECT_EQ(d.message->version, "3.0.0");
    EXPECT_EQ(d.message->type, 1);
    EXPECT_EQ(d.message->allow_ip, "10.1.2.3");
    ASSERT_EQ(d.message->access.size(), 1u);
    EXPECT_EQ(d.message->access[0].protocol, "tcp");
    EXPECT_EQ(d.message->access[0].port, 22);
    EXPECT_FALSE(d.message->client_timeout);
    // fwknopd's replay key for this packet, as the reference computed it.
    EXPECT_EQ(base64_encode_unpadded(d.replay_digest),
              "xzGnv+tMvEEgGCl4dGuOEXsCfrsjGry4FTspszFasY8");
}

TEST(SpaVectors, V2PassphraseKeysClientTimeoutTwoPortsSpoofedUser) {
    const FwknopKey keys[] = {kPassKey};
    const SpaDecode d = decode_spa(kV2, keys);
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
    EXPECT_EQ(d.message->client_user, "alice");
    EXPECT_EQ(d.message->timestamp, 1796148844);
    EXPECT_EQ(d.message->type, 3);
    EXPECT_EQ(d.message->allow_ip, "0.0.0.0");
    ASSERT_EQ(d.message->access.size(), 2u);
    EXPECT_EQ(d.message->access[0].port, 22);
    EXPECT_EQ(d.message->access[1].protocol, "tcp");
    EXPECT_EQ(d.message->access[1].port, 2222);
    EXPECT_EQ(d.message->client_timeout, 600u);
}

TEST(SpaVectors, D1DeterministicPacket) {
    const FwknopKey keys[] = {kPassKey};
    const SpaDecode d = decode_spa(kD1, keys);
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
    EXPECT_EQ(d.message->client_user, "root");
    EXPECT_EQ(d.message->timestamp, 1796140000);
    EXPECT_EQ(d.message->allow_ip, "203.0.113.7");
    EXPECT_EQ(d.message->client_timeout, 90u);
}

TEST(SpaVectors, TheTestBuilderReproducesD1) {
    // So packets the other tests build are what the stock client would send.
    const std::string pt = testing::with_digest(
        testing::spa_body("root", "1796140000", "203.0.113.7,tcp/22", "3", "90"));
    EXPECT_EQ(
        testing::make_packet(kPassKey.encryption, kPassKey.hmac, pt, {0, 1, 2, 3, 4, 5, 6, 7}),
        kD1);
}

TEST(SpaVectors, OlderClientsFromFwknopsTestSuite) {
    const FwknopKey keys[] = {key_b64(
        "wzNP62oPPgEc+kXDPQLHPOayQBuNbYUTPP+QrErNDmg=",
        "Yh+xizBnl6FotC5ec7FanVGClRMlsOAPh2u6eovnerfBVKwaVKzjGoblFMHMc593TNyi0dWn4opLoTIV9q/"
        "ttg==")};
    const SpaDecode v25 = decode_spa(
        "97UwsN9v6iQxs9/hrSnbRKDF8byw+niI0PDx0AvuhLP2NmAaz4qktRjl1p7lUAGBzLi+4o58wJCkHs3QUluHBcMA"
        "S6hqIT7qMc/aQlcJzNsQWEfPCkAE0m1zLnjGGE3C9u943F+0csrZs+ysKKca+sVBcAKhsTNsMjT9HojVMdk+r9Rh"
        "JqUa2JJz7fZIZauvBrygBVg0yh6o",
        keys);
    ASSERT_TRUE(v25.message) << to_string(*v25.refusal);
    EXPECT_EQ(v25.message->version, "2.5.0");
    EXPECT_EQ(v25.message->timestamp, 1371001727);
    EXPECT_EQ(v25.message->allow_ip, "127.0.0.2");
    const SpaDecode v20 = decode_spa(
        "87ujK1b1aOKxWWI3IWAYUhhimid7In1SQO60K3Kz3BWouDAHVJrthrx8qZbOoNubBnOT06p9lTWhkKirgMRySEFB"
        "Q9ypGPYnraysdlqmYuRDJ3ZIL0IWaJywgVPDJlxxPuI8MD6wm4bHHJ8BkSeWqix97DnU215iUkPlD/ks85jHMD5E"
        "arLcijkV5OBwilCcVsDj7i6q0PKQ",
        keys);
    ASSERT_TRUE(v20.message) << to_string(*v20.refusal);
    EXPECT_EQ(v20.message->version, "2.0.2");
    EXPECT_EQ(v20.message->timestamp, 1406571521);
}

TEST(SpaVectors, TheKeyThatVerifiesNamesTheUser) {
    const FwknopKey keys[] = {kPassKey, kV1Key};
    const SpaDecode d = decode_spa(kV1, keys);
    ASSERT_TRUE(d.message);
    EXPECT_EQ(d.key_index, 1u);
    EXPECT_EQ(d.message->key_index, 1u);
}

TEST(SpaVectors, APreparedHmacKeyIsUsedOnlyWhileItMatchesTheKey) {
    FwknopKey key = kV1Key;
    prepare_hmac(key);
    const FwknopKey prepared[] = {key};
    EXPECT_TRUE(decode_spa(kV1, prepared).message);
    // A key changed after preparing is keyed afresh, never verified with the stale state.
    FwknopKey changed = key;
    changed.hmac[0] ^= 1;
    const FwknopKey stale[] = {changed};
    EXPECT_EQ(decode_spa(kV1, stale).refusal, SpaRefusal::no_key_matched);
    FwknopKey other = kPassKey;
    other.hmac_prepared = key.hmac_prepared;  // someone else's state
    const FwknopKey mixed[] = {other};
    EXPECT_EQ(decode_spa(kV1, mixed).refusal, SpaRefusal::no_key_matched);
}

TEST(SpaVectors, Sha512HmacIsNotAccepted) {
    // V3: --hmac-digest-type sha512; jitd pins HMAC-SHA256.
    const FwknopKey keys[] = {key_b64("l8ojIlP6Z10FBycPxj+F/4Z3qwNoS37yB3QgMt6diCA=",
                                      "SIHLTR3z8Ucjs+6fiOEYsCtqeseoo7D9ZYGuQxn4Br0hSkcNkdJ+"
                                      "anmEjoF2ok9Tk4DjAfYhHHdOSw24ObBmzg==")};
    const SpaDecode d = decode_spa(
        "8TZfrTlUL/iw28bsx3ysvBCF1Qc9xkSJ7Y6eIkrsDtaL5Klqh9dGOPE+hsKtJem7efGuNOwY8Yj/KPW2Ck0mx9Tw"
        "ldaQswjqGG7rnqLhEBHROP49N0XZYk4qXXlX8/QWqu8rk3iEro+n6yTuoCPSetlZWRksdsTtTX8ovvKf90qRqr9e"
        "aT2Dz2I3igcpMTEilUQQYp+ij0RNxM/DUibZbUNIZJsh2Cc44VVzoTm7lGbynwz4m7RHlTO9+7jOv1nD0xV4LGwb"
        "Kr7A4xoFHJMvGKh60JD+v81ncfPlkwTIZ67mAknm6apFo5A",
        keys);
    EXPECT_FALSE(d.message);
    EXPECT_EQ(d.refusal, SpaRefusal::no_key_matched);
    EXPECT_FALSE(d.authenticated);
}

TEST(SpaVectors, PacketWithoutHmacIsRefused) {
    // V4: the client without --use-hmac; whatever HMAC key we hold, nothing verifies.
    const FwknopKey keys[] = {key_pass("nohmac-pass", "some-hmac-key-of-32-bytes-or-more!!")};
    const SpaDecode d = decode_spa(
        "8E+ttLlY/RObecDXPtHpCV0RgJgelbQD7CSBxRpXEnsXqxWsI+GbR+9VgaT0Q793fLxdxpUtHx/0eRZtmS63ESKY"
        "sXUixBqjhLby4l90kGUAtIT0o+pYGJMP6RHGUUc0In1eFxuviq8wkWhGbDc0BM3GwSQBp1Q7c",
        keys);
    EXPECT_EQ(d.refusal, SpaRefusal::no_key_matched);
}

TEST(SpaVectors, Sha384AndSha512InnerDigestsAreAccepted) {
    const FwknopKey keys[] = {kPassKey};
    for (const char* md : {"sha384", "sha512"}) {
        const std::string pt = testing::with_digest(
            testing::spa_body("root", "1796140000", "192.0.2.1,udp/51820"), md);
        const SpaDecode d =
            decode_spa(testing::make_packet(kPassKey.encryption, kPassKey.hmac, pt), keys);
        ASSERT_TRUE(d.message) << md << ": " << to_string(*d.refusal);
        EXPECT_EQ(d.message->access[0].protocol, "udp");
        EXPECT_EQ(d.message->access[0].port, 51820);
    }
}

TEST(SpaVectors, TimestampsAfter2038Parse) {
    // fwknop's own decoder fails at 2^31 (a signed int); jitd reads 64 bits.
    const SpaDecode d = parse_spa_plaintext(
        testing::with_digest(testing::spa_body("root", "2147483648", "10.0.0.1,tcp/22")));
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
    EXPECT_EQ(d.message->timestamp, 2147483648);
}

}  // namespace
}  // namespace jitd::remote
