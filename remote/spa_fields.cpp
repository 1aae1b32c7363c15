// Plaintext grammar (fields joined by ':'):
//   rand(16 digits) : b64(user) : timestamp : version : type : b64(message) [: timeout] : digest
// digest = unpadded base64 of SHA-256 (or SHA-384/SHA-512, told apart by length) of everything
// before the last ':'. Only access messages (type 1) and access with a client timeout (type 3)
// are accepted; command and NAT types are refused as unsupported. The fields are authenticated
// by the HMAC already, but parsing stays strict so nothing odd reaches the policy or journal.
#include "remote/spa_fields.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include "remote/base64.hpp"

namespace jitd::remote {

namespace {

constexpr std::size_t kMaxPlaintext = 1500;
constexpr std::size_t kMaxUserB64 = 64;      // fwknop's limit on the encoded user name
constexpr std::size_t kMaxMessageB64 = 256;  // and on the encoded access message
constexpr std::uint32_t kMaxClientTimeout = 65536;

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename T>
std::optional<T> parse_number(std::string_view s, std::size_t max_chars) {
    if (!all_digits(s) || s.size() > max_chars) return std::nullopt;
    T v{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t at = s.find(sep, start);
        out.push_back(
            s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) return out;
        start = at + 1;
    }
}

// The inner digest's algorithm follows from its length, as in fwknop (SHA-2 only here).
bool digest_matches(std::string_view body, std::string_view digest) {
    const EVP_MD* md = digest.size() == 43   ? EVP_sha256()
                       : digest.size() == 64 ? EVP_sha384()
                       : digest.size() == 86 ? EVP_sha512()
                                             : nullptr;
    if (!md) return false;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(body.data(), body.size(), out, &len, md, nullptr) != 1) return false;
    const std::string expected = base64_encode_unpadded(std::span(out, len));
    return expected.size() == digest.size() &&
           CRYPTO_memcmp(expected.data(), digest.data(), digest.size()) == 0;
}

std::optional<std::string> decode_text(std::string_view b64, std::size_t max_chars) {
    if (b64.empty() || b64.size() > max_chars) return std::nullopt;
    const auto bytes = base64_decode(b64);
    if (!bytes || bytes->empty()) return std::nullopt;
    return std::string(bytes->begin(), bytes->end());
}

// fwknop's rule: printable ASCII without the characters that would confuse its own logs.
bool valid_client_user(std::string_view u) {
    static constexpr std::string_view kForbidden = "\"/\\[]:;|=,+*?<>";
    return !u.empty() && std::all_of(u.begin(), u.end(), [](char c) {
        return c >= 0x20 && c <= 0x7e && kForbidden.find(c) == std::string_view::npos;
    });
}

// Dotted quad, decimal octets 0..255 without leading zeros.
bool valid_ipv4(std::string_view s) {
    const auto parts = split(s, '.');
    if (parts.size() != 4) return false;
    return std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
        if (p.size() > 1 && p[0] == '0') return false;
        const auto v = parse_number<unsigned>(p, 3);
        return v && *v <= 255;
    });
}

// "IPv4,proto/port[,proto/port...]" with proto tcp|udp and port 1..65535.
bool parse_access(std::string_view msg, SpaMessage& m) {
    const auto parts = split(msg, ',');
    if (parts.size() < 2 || !valid_ipv4(parts[0])) return false;
    m.allow_ip = std::string(parts[0]);
    for (std::size_t i = 1; i < parts.size(); ++i) {
        const std::string_view spec = parts[i];
        const std::size_t slash = spec.find('/');
        if (slash == std::string_view::npos) return false;
        const std::string_view proto = spec.substr(0, slash);
        if (proto != "tcp" && proto != "udp") return false;
        const auto port = parse_number<unsigned>(spec.substr(slash + 1), 5);
        if (!port || *port < 1 || *port > 65535) return false;
        m.access.push_back({std::string(proto), static_cast<std::uint16_t>(*port)});
    }
    return true;
}

SpaFields refused_fields(SpaRefusal r) {
    SpaFields f;
    f.refusal = r;
    return f;
}

}  // namespace

SpaFields parse_spa_fields(std::string_view pt) {
    if (pt.empty() || pt.size() > kMaxPlaintext ||
        !std::all_of(pt.begin(), pt.end(), [](char c) { return c >= 0x20 && c <= 0x7e; }))
        return refused_fields(SpaRefusal::malformed);
    const std::size_t last = pt.rfind(':');
    if (last == std::string_view::npos) return refused_fields(SpaRefusal::malformed);
    if (!digest_matches(pt.substr(0, last), pt.substr(last + 1)))
        return refused_fields(SpaRefusal::bad_digest);

    const auto f = split(pt.substr(0, last), ':');
    if (f.size() < 6) return refused_fields(SpaRefusal::malformed);
    const auto type = parse_number<int>(f[4], 2);
    if (!type || *type > 6) return refused_fields(SpaRefusal::malformed);
    if (*type != 1 && *type != 3) return refused_fields(SpaRefusal::unsupported_type);
    // Type 1: exactly six fields; type 3: a seventh, the timeout. (The optional server_auth
    // field is never sent by the 2.6 client and is refused.)
    if (f.size() != (*type == 1 ? 6u : 7u)) return refused_fields(SpaRefusal::malformed);

    SpaMessage m;
    m.type = *type;
    if (f[0].size() != 16 || !all_digits(f[0])) return refused_fields(SpaRefusal::malformed);
    const auto user = decode_text(f[1], kMaxUserB64);
    if (!user || !valid_client_user(*user)) return refused_fields(SpaRefusal::malformed);
    m.client_user = *user;
    // fwknop parses the time into a 32-bit int; a 64-bit parse keeps working after 2038.
    const auto ts = parse_number<std::int64_t>(f[2], 12);
    if (!ts) return refused_fields(SpaRefusal::malformed);
    m.timestamp = *ts;
    if (f[3].empty() || f[3].size() > 8) return refused_fields(SpaRefusal::malformed);
    m.version = std::string(f[3]);
    const auto msg = decode_text(f[5], kMaxMessageB64);
    if (!msg || !parse_access(*msg, m)) return refused_fields(SpaRefusal::malformed);
    if (m.type == 3) {
        const auto timeout = parse_number<std::uint32_t>(f[6], 5);
        if (!timeout || *timeout < 1 || *timeout > kMaxClientTimeout)
            return refused_fields(SpaRefusal::malformed);
        m.client_timeout = *timeout;
    }
    SpaFields out;
    out.message = std::move(m);
    return out;
}

}  // namespace jitd::remote
