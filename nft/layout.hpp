// The shape of `table inet jitd`: one description of its sets and chain that both the text
// rendering (render_ruleset) and the netlink builder use, so the two cannot drift apart.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "nft/model.hpp"

namespace jitd::nft::layout {

// nft's datatype ids (nftables include/datatype.h), needed so `nft list` prints keys properly.
inline constexpr std::uint32_t kTypeIpAddr = 7;
inline constexpr std::uint32_t kTypeIp6Addr = 8;
inline constexpr std::uint32_t kTypeInetProto = 12;
inline constexpr std::uint32_t kTypeInetService = 13;
inline constexpr std::uint32_t kTypeMark = 19;

// One component of a set key: nft type id, its name in nft syntax, its length in bytes.
struct Field {
    std::uint32_t type;
    std::string_view name;
    std::uint32_t len;
};

inline constexpr Field kIp4{kTypeIpAddr, "ipv4_addr", 4};
inline constexpr Field kIp6{kTypeIp6Addr, "ipv6_addr", 16};
inline constexpr Field kProto{kTypeInetProto, "inet_proto", 1};
inline constexpr Field kService{kTypeInetService, "inet_service", 2};
inline constexpr Field kMark{kTypeMark, "mark", 4};

// `rate`: the remote intake's per-source meters, filled by the packet path (dynset), present
// only with a remote port.
enum class SetRole : std::uint8_t { protected_ports, grant, allow, pickup, rate, pending };

struct SetDef {
    std::string_view name;
    SetRole role;
    std::vector<Field> fields;
    bool interval;
    bool timeout;
    bool dynamic = false;                  // NFT_SET_EVAL: rules add elements (`flags dynamic`)
    std::uint64_t default_timeout_ms = 0;  // `timeout`: for elements the packet path adds
    std::uint32_t size = 0;                // `size`: the most elements it holds (0: no bound)
};

inline constexpr std::string_view kProtected = "protected";
inline constexpr std::string_view kGrant4Host = "grant4_host";
inline constexpr std::string_view kGrant4Net = "grant4_net";
inline constexpr std::string_view kGrant6Host = "grant6_host";
inline constexpr std::string_view kGrant6Net = "grant6_net";
inline constexpr std::string_view kAllow4 = "allow4";
inline constexpr std::string_view kAllow6 = "allow6";
// `remote addr . remote port . local addr . local port` of TCP sessions open before the first
// install, which conntrack may still pick up mid-stream (rules.cpp).
inline constexpr std::string_view kPickup4 = "pickup4";
inline constexpr std::string_view kPickup6 = "pickup6";
// The remote intake's per-source meters (rules.cpp: remote_rules): IPv4 sources by address,
// IPv6 sources by their /64 (the key is the address with the host half zeroed).
inline constexpr std::string_view kRemoteRate4 = "remote_rate4";
inline constexpr std::string_view kRemoteRate6 = "remote_rate6";
// Pending approval requests, keyed `mark . mark` (64 bits): no rule references it.
inline constexpr std::string_view kPending = "pending";
inline constexpr std::string_view kChain = "input";

// All sets, in the order they are created (and rendered).
const std::vector<SetDef>& sets();
const SetDef& set(std::string_view name);
// Whether install(spec) creates `def` (the rate sets only with a remote port).
bool wanted(const SetDef& def, const TableSpec& spec);

// The grant set an element belongs to: by family, host or prefix.
std::string_view grant_set_for(const ElementKey& key);
std::string_view allow_set_for(Prefix::Family family);
std::string_view pickup_set_for(Prefix::Family family);

// Key length in the kernel: each component padded to 4 bytes.
std::uint32_t key_len(const SetDef& def);
// nft's concatenated type id: (t1 << 6 | t2) << 6 | t3.
std::uint32_t key_type(const SetDef& def);

// The policy part with duplicates removed and always-allow prefixes covered by a wider one
// dropped (interval sets refuse overlapping elements).
TableSpec normalized(const TableSpec& spec);

std::string_view proto_name(L4 proto);

}  // namespace jitd::nft::layout
