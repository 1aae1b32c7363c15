// Set keys as the kernel stores them: concatenated components, each padded to 4 bytes, in
// network byte order. Interval elements carry the first and the last key of their range.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "nft/model.hpp"

namespace jitd::nft::keys {

using Bytes = std::vector<std::uint8_t>;

// `saddr . l4proto . dport` with the first (`last` false) or last address of the prefix.
Bytes grant_key(const ElementKey& key, bool last = false);
// `l4proto . dport` for the protected set.
Bytes proto_port_key(const ProtoPort& pp);
// A bare address for the always-allow sets: the prefix's first address, or the address right
// after its last one (the rbtree interval end); nullopt when the prefix reaches the top.
Bytes prefix_start(const Prefix& p);
std::optional<Bytes> prefix_end_exclusive(const Prefix& p);

// `remote . remote port . local . local port` for the pickup sets, and back.
Bytes pickup_key(const Tuple& t);
std::optional<Tuple> decode_pickup(Prefix::Family family, const Bytes& key);

// The `pending` set's `mark . mark` key: the high and the low 32 bits, each in host byte
// order as nft keeps marks; and back (nullopt unless 8 bytes).
Bytes pending_key(std::uint64_t key);
std::optional<std::uint64_t> decode_pending(const Bytes& key);

// Reads a grant element back: the key and, for interval sets, the key end.
std::optional<ElementKey> decode_grant(Prefix::Family family, const Bytes& key,
                                       const Bytes* key_end);

}  // namespace jitd::nft::keys
