#pragma once
// Decoder for fwknop 2.6.x Single Packet Authorization datagrams (Rijndael + HMAC-SHA256), the
// format the stock `fwknop` client sends. HMAC is mandatory; everything after it is parsed only
// once a key has authenticated the packet. See docs/REMOTE.md for the wire format.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "remote/fwknop_keys.hpp"

namespace jitd::remote {

enum class SpaRefusal : std::uint8_t {  // why a datagram was dropped (counted, by cause)
    too_short,
    too_long,
    bad_alphabet,
    salted_prefix,
    no_key_matched,  // before/at the HMAC
    bad_ciphertext,
    bad_padding,
    bad_digest,
    malformed,
    unsupported_type  // after it (authenticated)
};
inline constexpr std::size_t kSpaRefusalCount = 10;
std::string_view to_string(SpaRefusal r);  // "too_short", ...

// Payload size limits (bytes), those of fwknopd.
inline constexpr std::size_t kSpaMinPayload = 140;
inline constexpr std::size_t kSpaMaxPayload = 1500;

struct SpaAccess {
    std::string protocol;  // "tcp" | "udp"
    std::uint16_t port;
};

struct SpaMessage {
    std::size_t key_index = 0;      // which FwknopKey verified the HMAC: the identity
    std::string client_user;        // the user name inside the packet (journal only)
    std::int64_t timestamp = 0;     // the client's time, seconds since the epoch
    std::string version;            // e.g. "3.0.0"
    int type = 1;                   // 1 access, 3 access with client timeout
    std::string allow_ip;           // as in the packet ("0.0.0.0" = the packet's source)
    std::vector<SpaAccess> access;  // at least one
    std::optional<std::uint32_t> client_timeout;  // seconds, type 3
};

struct SpaDecode {
    std::optional<SpaMessage> message;  // set when everything checked out
    std::optional<SpaRefusal> refusal;  // set otherwise
    bool authenticated = false;         // the HMAC matched a key (then key_index is meaningful)
    std::size_t key_index = 0;
    std::array<unsigned char, 32> replay_digest{};  // SHA-256 of the wire payload (once
                                                    // authenticated; zero before)
};

// The whole check order: length, alphabet, salted prefix, HMAC against each key in constant
// time, then decrypt, digest, strict parse; types 1 and 3 only.
SpaDecode decode_spa(std::string_view payload, std::span<const FwknopKey> keys);

// The part after authentication, exposed for the fuzz target and unit tests. The plaintext is
// the decrypted, unpadded text "rand:user:ts:version:type:msg[:timeout]:digest". Sets message
// or refusal only (authenticated stays false: no HMAC was checked here).
SpaDecode parse_spa_plaintext(std::string_view plaintext);

}  // namespace jitd::remote
