#include "tests/bench/sources.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace jitd::bench {
namespace {

using Family = nft::Prefix::Family;

nft::Prefix v4(std::uint32_t addr, std::uint8_t len) {
    nft::Prefix p;
    p.family = Family::ipv4;
    p.len = len;
    for (int i = 0; i < 4; ++i) p.bytes[i] = static_cast<std::uint8_t>(addr >> (24 - 8 * i));
    return p;
}

// 2001:db8:<group>:<subnet>::<host> (host < 2^32).
nft::Prefix v6(std::uint16_t group, std::uint16_t subnet, std::uint32_t host, std::uint8_t len) {
    nft::Prefix p;
    p.family = Family::ipv6;
    p.len = len;
    const std::uint16_t words[4] = {0x2001, 0x0db8, group, subnet};
    for (std::size_t i = 0; i < 4; ++i) {
        p.bytes[2 * i] = static_cast<std::uint8_t>(words[i] >> 8);
        p.bytes[2 * i + 1] = static_cast<std::uint8_t>(words[i] & 0xff);
    }
    for (int i = 0; i < 4; ++i) p.bytes[12 + i] = static_cast<std::uint8_t>(host >> (24 - 8 * i));
    return p;
}

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

std::string host4_text(std::uint32_t n) {
    return "10." + std::to_string((n >> 16) & 0xff) + "." + std::to_string((n >> 8) & 0xff) + "." +
           std::to_string(n & 0xff);
}

CommentMaker::CommentMaker() {
    std::random_device rd;
    // A random 40-bit base: ids of different runs differ, increments stay within 48 bits.
    next_id_ = ((std::uint64_t{rd()} << 8) ^ rd()) & 0xffffffffffULL;
}

std::string CommentMaker::next(uid_t owner_uid, std::int64_t start_unix) {
    char id[32];
    std::snprintf(id, sizeof id, "g-%012llx",
                  static_cast<unsigned long long>(next_id_++ & 0xffffffffffffULL));
    return "jitd:" + std::string(id) + ":" + std::to_string(owner_uid) + ":" +
           std::to_string(start_unix);
}

std::vector<nft::Element> scale_elements(std::size_t count, uid_t owner_uid,
                                         CommentMaker& comments) {
    if (count > (std::size_t{1} << 21)) throw std::invalid_argument("scale: at most 2^21 grants");
    std::vector<nft::Element> out;
    out.reserve(count);
    const std::int64_t start = now_unix();
    for (std::size_t i = 0; i < count; ++i) {
        const auto k = static_cast<std::uint32_t>(i / 4);
        nft::Element e;
        e.key.proto = nft::L4::tcp;
        e.key.port = 22;
        switch (i % 4) {
            case 0:  // 10.0.0.1 ... (k < 2^19 stays below 10.8.0.0)
                e.key.source = v4(0x0A000001u + k, 32);
                break;
            case 1:  // 10.128.0.0/28, 10.128.0.16/28, ... (2^19 of them in 10.128.0.0/9)
                e.key.source = v4(0x0A800000u + (k << 4), 28);
                break;
            case 2:  // 2001:db8:1::1 ...
                e.key.source = v6(1, 0, k + 1, 128);
                break;
            default:  // 2001:db8:2:0::/64, 2001:db8:2:1::/64, ...
                e.key.source = v6(static_cast<std::uint16_t>(2 + (k >> 16)),
                                  static_cast<std::uint16_t>(k & 0xffff), 0, 64);
                break;
        }
        e.timeout = std::chrono::seconds(3600 + static_cast<long>(i % 7200));
        e.comment = comments.next(owner_uid, start);
        out.push_back(std::move(e));
    }
    return out;
}

nft::Element host4_element(std::uint32_t n, std::string comment) {
    nft::Element e;
    e.key.source = v4(0x0A000000u + n, 32);
    e.key.proto = nft::L4::tcp;
    e.key.port = 22;
    e.timeout = std::chrono::hours(1);
    e.comment = std::move(comment);
    return e;
}

}  // namespace jitd::bench
