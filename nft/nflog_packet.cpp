// Bounds-checked decoding of nflog messages and the IP/UDP headers they carry. Nothing here
// trusts a length field before comparing it with the bytes actually present.
#include "nft/nflog_packet.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include <algorithm>
#include <cstring>

namespace jitd::nft {
namespace {

constexpr std::uint8_t kUdp = 17;
constexpr std::size_t kIpv4MinHeader = 20, kIpv6Header = 40, kUdpHeader = 8;

std::uint16_t be16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

int find_payload(const nlattr* attr, void* data) {
    if (mnl_attr_get_type(attr) == NFULA_PAYLOAD) *static_cast<const nlattr**>(data) = attr;
    return MNL_CB_OK;
}

// The UDP header and payload at `udp` (`avail` bytes copied); the IP header said `claimed`.
bool parse_udp(const std::uint8_t* udp, std::size_t avail, std::size_t claimed, Datagram& out,
               NflogError& error) {
    if (claimed < kUdpHeader || avail < kUdpHeader) {
        error = claimed < kUdpHeader ? NflogError::bad_ip : NflogError::truncated;
        return false;
    }
    const std::size_t udp_len = be16(udp + 4);
    if (udp_len < kUdpHeader || udp_len > claimed) {
        error = NflogError::bad_ip;
        return false;
    }
    if (udp_len > avail) {
        error = NflogError::truncated;
        return false;
    }
    out.source_port = be16(udp);
    out.dest_port = be16(udp + 2);
    out.payload.assign(reinterpret_cast<const char*>(udp + kUdpHeader), udp_len - kUdpHeader);
    return true;
}

bool parse_ipv4(std::span<const std::uint8_t> p, Datagram& out, NflogError& error) {
    const std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0f) * 4;
    const std::size_t total = be16(p.data() + 2);
    if (ihl < kIpv4MinHeader || total < ihl) {
        error = NflogError::bad_ip;
        return false;
    }
    if (p.size() < ihl || p.size() < total) {
        error = NflogError::truncated;
        return false;
    }
    const std::uint16_t frag = be16(p.data() + 6);
    if ((frag & 0x3fff) != 0) {  // MF set or an offset: not a whole datagram
        error = NflogError::fragment;
        return false;
    }
    if (p[9] != kUdp) {
        error = NflogError::not_udp;
        return false;
    }
    out.family = Prefix::Family::ipv4;
    out.source = {};
    std::memcpy(out.source.data(), p.data() + 12, 4);
    return parse_udp(p.data() + ihl, total - ihl, total - ihl, out, error);
}

bool parse_ipv6(std::span<const std::uint8_t> p, Datagram& out, NflogError& error) {
    if (p.size() < kIpv6Header) {
        error = NflogError::truncated;
        return false;
    }
    const std::size_t claimed = be16(p.data() + 4);
    if (p[6] != kUdp) {  // extension headers are not walked: the stock clients never send them
        error = NflogError::not_udp;
        return false;
    }
    if (p.size() - kIpv6Header < claimed) {
        error = NflogError::truncated;
        return false;
    }
    out.family = Prefix::Family::ipv6;
    std::memcpy(out.source.data(), p.data() + 8, 16);
    return parse_udp(p.data() + kIpv6Header, claimed, claimed, out, error);
}

}  // namespace

std::string_view to_string(NflogError e) {
    switch (e) {
        case NflogError::bad_message:
            return "bad_message";
        case NflogError::no_payload:
            return "no_payload";
        case NflogError::truncated:
            return "truncated";
        case NflogError::bad_ip:
            return "bad_ip";
        case NflogError::not_udp:
            return "not_udp";
        case NflogError::fragment:
            return "fragment";
        case NflogError::lost:
            return "lost";
    }
    return "?";
}

std::string Datagram::source_text() const {
    char buf[INET6_ADDRSTRLEN] = {};
    const int af = family == Prefix::Family::ipv4 ? AF_INET : AF_INET6;
    if (inet_ntop(af, source.data(), buf, sizeof buf) == nullptr) return "?";
    return buf;
}

bool parse_udp_packet(std::span<const std::uint8_t> packet, Datagram& out, NflogError& error) {
    if (packet.empty()) {
        error = NflogError::truncated;
        return false;
    }
    const unsigned version = packet[0] >> 4;
    if (version == 4) {
        if (packet.size() < kIpv4MinHeader) {
            error = NflogError::truncated;
            return false;
        }
        return parse_ipv4(packet, out, error);
    }
    if (version == 6) return parse_ipv6(packet, out, error);
    error = NflogError::bad_ip;
    return false;
}

void parse_nflog_buffer(std::span<const std::uint8_t> buffer, const NflogSink& sink) {
    // libmnl's iteration checks each header against what is left.
    const void* base = buffer.data();
    int left = static_cast<int>(std::min<std::size_t>(buffer.size(), 1u << 30));
    const auto* nlh = static_cast<const nlmsghdr*>(base);
    // mnl_nlmsg_ok() compares nlmsg_len as a signed int: a length of 2^31 or more passes it and
    // then advances by nothing, so the unsigned bound is checked here first.
    auto whole = [&] {
        return left >= static_cast<int>(sizeof(nlmsghdr)) && mnl_nlmsg_ok(nlh, left) &&
               nlh->nlmsg_len <= static_cast<std::uint32_t>(left);
    };
    for (; whole(); nlh = mnl_nlmsg_next(nlh, &left)) {
        if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_DONE) continue;
        if (nlh->nlmsg_type == NLMSG_ERROR) {
            sink.error(NflogError::bad_message);
            continue;
        }
        if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_ULOG) continue;
        if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFULNL_MSG_PACKET ||
            nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(nfgenmsg)) {
            sink.error(NflogError::bad_message);
            continue;
        }
        const nlattr* payload = nullptr;
        if (mnl_attr_parse(nlh, sizeof(nfgenmsg), find_payload, &payload) != MNL_CB_OK) {
            sink.error(NflogError::bad_message);
            continue;
        }
        if (payload == nullptr) {
            sink.error(NflogError::no_payload);
            continue;
        }
        const auto* bytes = static_cast<const std::uint8_t*>(mnl_attr_get_payload(payload));
        Datagram d;
        NflogError error{};
        if (parse_udp_packet({bytes, mnl_attr_get_payload_len(payload)}, d, error))
            sink.datagram(d);
        else
            sink.error(error);
    }
    // Bytes that do not make a whole message: a cut buffer.
    if (left > 0) sink.error(NflogError::bad_message);
}

}  // namespace jitd::nft
