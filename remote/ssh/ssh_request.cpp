// Request encoding and decoding. Decoding refuses anything encode_request would not produce, so a
// request has exactly one byte form (what was signed is what is parsed).
#include "remote/ssh/ssh_request.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

#include <openssl/evp.h>

#include "remote/ssh/ssh_wire.hpp"

namespace jitd::remote::ssh {
namespace {

constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;

bool clean_name(std::string_view s, std::size_t max, bool allow_empty) {
    if (s.empty()) return allow_empty;
    if (s.size() > max) return false;
    for (unsigned char c : s)
        if (c <= 0x20 || c >= 0x7f) return false;
    return true;
}

void check_fields(const SignedRequest& r) {
    if (!clean_name(r.host, kMaxHostName, false))
        throw WireError("host must be 1 to 253 printable characters without spaces");
    if (r.port == 0) throw WireError("port 0");
    if (r.protocol == config::Protocol::any) throw WireError("protocol must be tcp or udp");
    if (r.reason.size() > kMaxReasonBytes) throw WireError("reason longer than 600 bytes");
    if (!clean_name(r.user, kMaxUserName, true))
        throw WireError("user must be at most 32 printable characters without spaces");
    if (r.end != SignedRequest::End::default_duration && r.end_value == 0)
        throw WireError("zero duration or end");
    if (r.end == SignedRequest::End::default_duration && r.end_value != 0)
        throw WireError("a value for the default duration");
    if (r.source) {
        if (r.source->prefix_len > r.source->max_prefix())
            throw WireError("source prefix too long");
        // Round trip through the text form: refuses host bits set and stray bytes past the family.
        const auto parsed = config::parse_cidr(r.source->str_with_len());
        if (!parsed || !(parsed.value == *r.source))
            throw WireError("source is not a network address (host bits set)");
    }
}

}  // namespace

std::string encode_request(const SignedRequest& r) {
    check_fields(r);
    WireWriter w;
    w.raw(kRequestMagic).u8(kRequestVersion).string(r.host).u16(r.port);
    w.u8(!r.protocol ? 0 : *r.protocol == config::Protocol::tcp ? kTcp : kUdp);
    if (!r.source) {
        w.u8(0);
    } else {
        w.u8(static_cast<std::uint8_t>(r.source->family));
        w.raw(std::string_view(reinterpret_cast<const char*>(r.source->bytes.data()),
                               r.source->addr_len()));
        w.u8(r.source->prefix_len);
    }
    w.u8(static_cast<std::uint8_t>(r.end));
    if (r.end != SignedRequest::End::default_duration) w.u64(r.end_value);
    w.string(r.reason).string(r.user).u64(r.client_time);
    w.raw(std::string_view(reinterpret_cast<const char*>(r.nonce.data()), r.nonce.size()));
    return w.take();
}

SignedRequest decode_request(std::string_view bytes) {
    WireReader in(bytes);
    if (in.bytes(kRequestMagic.size(), "request magic") != kRequestMagic)
        throw WireError("not a jitd request (magic)");
    const std::uint8_t version = in.u8("request version");
    if (version != kRequestVersion)
        throw WireError("request version " + std::to_string(version) + " unsupported");
    SignedRequest r;
    r.host = std::string(in.string("host"));
    r.port = in.u16("port");
    switch (in.u8("protocol")) {
        case 0:
            break;
        case kTcp:
            r.protocol = config::Protocol::tcp;
            break;
        case kUdp:
            r.protocol = config::Protocol::udp;
            break;
        default:
            throw WireError("unknown protocol number");
    }
    const std::uint8_t family = in.u8("source family");
    if (family == 4 || family == 6) {
        config::Cidr net;
        net.family = family == 4 ? config::Cidr::Family::ipv4 : config::Cidr::Family::ipv6;
        const auto addr = in.bytes(net.addr_len(), "source address");
        std::memcpy(net.bytes.data(), addr.data(), addr.size());
        net.prefix_len = in.u8("source prefix length");
        if (net.prefix_len > net.max_prefix()) throw WireError("source prefix too long");
        r.source = net;
    } else if (family != 0) {
        throw WireError("unknown source family");
    }
    const std::uint8_t end = in.u8("end kind");
    if (end > 2) throw WireError("unknown end kind");
    r.end = static_cast<SignedRequest::End>(end);
    if (r.end != SignedRequest::End::default_duration) r.end_value = in.u64("end");
    r.reason = std::string(in.string("reason"));
    r.user = std::string(in.string("user"));
    r.client_time = in.u64("client time");
    const auto nonce = in.bytes(r.nonce.size(), "nonce");
    std::memcpy(r.nonce.data(), nonce.data(), nonce.size());
    in.expect_end("request");
    check_fields(r);
    return r;
}

std::string encode_datagram(std::string_view request, std::string_view sshsig) {
    WireWriter w;
    w.string(request).string(sshsig);
    return w.take();
}

DatagramParts split_datagram(std::string_view datagram) {
    if (datagram.size() > kMaxDatagram)
        throw WireError("datagram of " + std::to_string(datagram.size()) +
                        " bytes is larger than 1232");
    WireReader in(datagram);
    DatagramParts p;
    p.request = in.string("request");
    p.sshsig = in.string("signature");
    in.expect_end("datagram");
    return p;
}

bool looks_like_signed_request(std::string_view datagram) {
    return datagram.size() > 4 + kRequestMagic.size() &&
           datagram.substr(4, kRequestMagic.size()) == kRequestMagic;
}

std::string pending_request_id(const std::array<std::uint8_t, 16>& nonce) {
    std::string input = "jitd-request-id";
    input.push_back('\0');
    input.append(reinterpret_cast<const char*>(nonce.data()), nonce.size());
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "r-";
    for (std::size_t i = 0; i < 6; ++i) {
        id.push_back(kHex[digest[i] >> 4]);
        id.push_back(kHex[digest[i] & 0xf]);
    }
    return id;
}

}  // namespace jitd::remote::ssh
