#include "tests/fuzz/fwknop_checks.hpp"

#include <algorithm>

#include "remote/fwknop_spa.hpp"
#include "tests/unit/remote/spa_builder.hpp"

namespace jitd::fuzz {

namespace {

using remote::SpaDecode;
using remote::SpaRefusal;

const remote::FwknopKey& fixed_key() {
    static const remote::FwknopKey key{
        "fuzz", "fuzz.fwknop", remote::testing::bytes_of("fuzz-encryption-key"),
        remote::testing::bytes_of("fuzz-hmac-key-fuzz-hmac-key-0123")};
    return key;
}

bool after_hmac(SpaRefusal r) {
    return r == SpaRefusal::bad_ciphertext || r == SpaRefusal::bad_padding ||
           r == SpaRefusal::bad_digest || r == SpaRefusal::malformed ||
           r == SpaRefusal::unsupported_type;
}

std::string check_message(const remote::SpaMessage& m) {
    if (m.type != 1 && m.type != 3) return "accepted type " + std::to_string(m.type);
    if (m.access.empty()) return "accepted without access";
    for (const auto& a : m.access) {
        if (a.protocol != "tcp" && a.protocol != "udp") return "accepted protocol " + a.protocol;
        if (a.port == 0) return "accepted port 0";
    }
    if (m.client_timeout.has_value() != (m.type == 3)) return "timeout does not match the type";
    if (m.allow_ip.size() < 7 || m.allow_ip.size() > 15 ||
        !std::all_of(m.allow_ip.begin(), m.allow_ip.end(),
                     [](char c) { return c == '.' || (c >= '0' && c <= '9'); }))
        return "accepted allow ip '" + m.allow_ip + "'";
    if (m.client_user.empty() ||
        !std::all_of(m.client_user.begin(), m.client_user.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ':'; }))
        return "accepted an unprintable user";
    if (m.version.empty() || m.version.size() > 8) return "accepted version '" + m.version + "'";
    if (m.timestamp < 0) return "accepted a negative timestamp";
    return {};
}

// `hmac_ran`: decode_spa (which says whether a key verified); parse_spa_plaintext never does.
std::string check_shape(const SpaDecode& d, const char* what, bool hmac_ran = true) {
    if (d.message.has_value() == d.refusal.has_value())
        return std::string(what) + ": not exactly one of message and refusal";
    if (d.message) return check_message(*d.message);
    if (hmac_ran && d.authenticated != after_hmac(*d.refusal))
        return std::string(what) + ": refusal " + std::string(to_string(*d.refusal)) +
               (d.authenticated ? " after" : " before") + " authentication";
    return {};
}

std::string verdict(const SpaDecode& d) {
    return d.refusal ? std::string(to_string(*d.refusal)) : "accepted";
}

}  // namespace

std::string check_fwknop_input(std::string_view input) {
    const remote::FwknopKey keys[] = {fixed_key()};
    const SpaDecode plain = remote::parse_spa_plaintext(input);
    if (auto p = check_shape(plain, "plaintext", false); !p.empty()) return p;
    if (plain.authenticated) return "plaintext: claims an HMAC";
    if (plain.refusal && !after_hmac(*plain.refusal)) return "plaintext: a pre-HMAC refusal";

    const SpaDecode wire = remote::decode_spa(input, keys);
    if (auto p = check_shape(wire, "wire"); !p.empty()) return p;
    if (wire.authenticated) return "wire: forged packet authenticated";

    // A valid tag on arbitrary bytes: whatever follows must refuse or parse, never crash.
    const SpaDecode tagged =
        remote::decode_spa(remote::testing::tag_wire(fixed_key().hmac, input), keys);
    if (auto p = check_shape(tagged, "tagged"); !p.empty()) return p;

    if (input.size() <= 1000) {
        const std::string packet =
            remote::testing::make_packet(fixed_key().encryption, fixed_key().hmac, input);
        const SpaDecode sealed = remote::decode_spa(packet, keys);
        if (auto p = check_shape(sealed, "sealed"); !p.empty()) return p;
        if (packet.size() >= remote::kSpaMinPayload && packet.size() <= remote::kSpaMaxPayload &&
            verdict(sealed) != verdict(plain))
            return "sealed plaintext: " + verdict(sealed) + ", parsed directly: " + verdict(plain);
    }
    return {};
}

}  // namespace jitd::fuzz
