#include "nft/keys.hpp"

#include <algorithm>
#include <cstring>

namespace jitd::nft::keys {
namespace {

std::size_t addr_len(Prefix::Family f) {
    return f == Prefix::Family::ipv4 ? 4 : 16;
}

void put_proto_port(Bytes& out, L4 proto, std::uint16_t port) {
    out.insert(out.end(), {static_cast<std::uint8_t>(proto), 0, 0, 0});
    out.insert(out.end(), {static_cast<std::uint8_t>(port >> 8),
                           static_cast<std::uint8_t>(port & 0xff), 0, 0});
}

// The prefix's address with every host bit set to `one`.
Bytes edge(const Prefix& p, bool one) {
    const std::size_t n = addr_len(p.family);
    Bytes out(p.bytes.begin(), p.bytes.begin() + static_cast<long>(n));
    for (std::size_t bit = p.len; bit < n * 8; ++bit) {
        const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
        if (one)
            out[bit / 8] |= mask;
        else
            out[bit / 8] &= static_cast<std::uint8_t>(~mask);
    }
    return out;
}

}  // namespace

Bytes grant_key(const ElementKey& key, bool last) {
    Bytes out = edge(key.source, last);
    put_proto_port(out, key.proto, key.port);
    return out;
}

Bytes proto_port_key(const ProtoPort& pp) {
    Bytes out;
    put_proto_port(out, pp.proto, pp.port);
    return out;
}

Bytes prefix_start(const Prefix& p) {
    return edge(p, false);
}

std::optional<Bytes> prefix_end_exclusive(const Prefix& p) {
    Bytes out = edge(p, true);
    for (std::size_t i = out.size(); i-- > 0;) {
        if (++out[i] != 0) return out;  // no carry out of this byte
    }
    return std::nullopt;  // wrapped: the prefix ends at the top address
}

Bytes pickup_key(const Tuple& t) {
    const std::size_t n = addr_len(t.family);
    Bytes out;
    auto put = [&](const std::array<std::uint8_t, 16>& addr, std::uint16_t port) {
        out.insert(out.end(), addr.begin(), addr.begin() + static_cast<long>(n));
        out.insert(out.end(), {static_cast<std::uint8_t>(port >> 8),
                               static_cast<std::uint8_t>(port & 0xff), 0, 0});
    };
    put(t.remote, t.remote_port);
    put(t.local, t.local_port);
    return out;
}

std::optional<Tuple> decode_pickup(Prefix::Family family, const Bytes& key) {
    const std::size_t n = addr_len(family);
    if (key.size() != 2 * (n + 4)) return std::nullopt;
    Tuple t;
    t.family = family;
    auto get = [&](std::size_t at, std::array<std::uint8_t, 16>& addr, std::uint16_t& port) {
        std::copy(key.begin() + static_cast<long>(at), key.begin() + static_cast<long>(at + n),
                  addr.begin());
        port = static_cast<std::uint16_t>(key[at + n] << 8 | key[at + n + 1]);
    };
    get(0, t.remote, t.remote_port);
    get(n + 4, t.local, t.local_port);
    return t;
}

Bytes pending_key(std::uint64_t key) {
    const std::uint32_t halves[2] = {static_cast<std::uint32_t>(key >> 32),
                                     static_cast<std::uint32_t>(key & 0xffffffffu)};
    Bytes out(8);
    std::memcpy(out.data(), halves, sizeof halves);  // host byte order, as nft keeps a mark
    return out;
}

std::optional<std::uint64_t> decode_pending(const Bytes& key) {
    if (key.size() != 8) return std::nullopt;
    std::uint32_t halves[2] = {};
    std::memcpy(halves, key.data(), sizeof halves);
    return static_cast<std::uint64_t>(halves[0]) << 32 | halves[1];
}

std::optional<ElementKey> decode_grant(Prefix::Family family, const Bytes& key,
                                       const Bytes* key_end) {
    const std::size_t n = addr_len(family);
    if (key.size() != n + 8 || (key_end && key_end->size() != n + 8)) return std::nullopt;
    ElementKey out;
    out.source.family = family;
    std::copy(key.begin(), key.begin() + static_cast<long>(n), out.source.bytes.begin());
    out.source.len = static_cast<std::uint8_t>(n * 8);
    if (key_end) {
        // The prefix length is where the first and the last address start to differ.
        unsigned len = 0;
        while (len < n * 8) {
            const auto mask = 0x80u >> (len % 8);
            if ((key[len / 8] & mask) != ((*key_end)[len / 8] & mask)) break;
            ++len;
        }
        out.source.len = static_cast<std::uint8_t>(len);
    }
    const std::uint8_t proto = key[n];
    if (proto != static_cast<std::uint8_t>(L4::tcp) && proto != static_cast<std::uint8_t>(L4::udp))
        return std::nullopt;
    out.proto = static_cast<L4>(proto);
    out.port = static_cast<std::uint16_t>(key[n + 4] << 8 | key[n + 5]);
    return out;
}

}  // namespace jitd::nft::keys
