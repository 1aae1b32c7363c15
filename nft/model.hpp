// What nft/ is asked to enforce, in kernel terms: no users, no YAML, no sockets.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitd::nft {

inline constexpr const char* kTableName = "jitd";  // always `table inet jitd`

enum class L4 : std::uint8_t { tcp = 6, udp = 17 };

struct Prefix {
    enum class Family : std::uint8_t { ipv4 = 4, ipv6 = 6 };
    Family family = Family::ipv4;
    std::array<std::uint8_t, 16> bytes{};  // network byte order, host bits zero
    std::uint8_t len = 32;
    bool is_host() const { return len == (family == Family::ipv4 ? 32 : 128); }
    std::string str() const;  // "10.0.0.0/24", hosts without length
    friend bool operator==(const Prefix&, const Prefix&) = default;
};

struct ProtoPort {
    L4 proto = L4::tcp;
    std::uint16_t port = 0;
    friend bool operator==(const ProtoPort&, const ProtoPort&) = default;
};

// The policy-derived part of the table. Installing it never touches grant elements.
struct TableSpec {
    std::vector<ProtoPort> protected_ports;
    std::vector<Prefix> always_allow;
    // The UDP port of remote requests: its datagrams go to jitd through nflog, and are dropped.
    std::optional<std::uint16_t> remote_port;
};

// The remote intake (rules.cpp): datagrams for the remote port are copied to this nflog group
// (up to kRemoteSnaplen bytes from the IP header on) and dropped. Two limits before the copy,
// both in the kernel, both only ever dropping:
// - per source (an IPv4 address, an IPv6 /64): beyond kRemoteSourceRate/s after a burst of
//   kRemoteSourceBurst, dropped and counted. The meters live in the dynamic sets
//   remote_rate4/remote_rate6, at most kRemoteMeterSize sources each, a source forgotten
//   kRemoteMeterTimeoutMs after its last datagram (a flooding source keeps its empty bucket).
//   A knock is one datagram, and a client retrying has room in the burst.
// - for all sources together, kRemoteRatePerSecond with an equal burst: a bound on jitd's work
//   (it rejects over 100k forged datagrams a second on one core, so this is at most a few
//   percent of one) that no single flooder can exhaust alone, as the per-source limit lets
//   only kRemoteSourceRate/s of it through. When a meter set is full (spoofed sources), a new
//   source finds no meter, the per-source rule does not match, and its datagram meets only
//   this limit, as every datagram did before the meters.
inline constexpr std::uint16_t kRemoteNflogGroup = 62201;
inline constexpr std::uint32_t kRemoteSnaplen = 2048;  // a whole 1500-byte packet and more
inline constexpr std::uint64_t kRemoteRatePerSecond = 5000;
inline constexpr std::uint32_t kRemoteBurst = 5000;
inline constexpr std::uint64_t kRemoteSourceRate = 5;
inline constexpr std::uint32_t kRemoteSourceBurst = 10;
inline constexpr std::uint32_t kRemoteMeterSize = 16384;
inline constexpr std::uint64_t kRemoteMeterTimeoutMs = 10000;

// Parses "10.0.0.0/24", "2001:db8::/32" or a bare address (a host); nullopt when malformed or
// when host bits are set. Added for tests and callers that hold text.
std::optional<Prefix> parse_prefix(std::string_view text);

// One grant element: `saddr . l4proto . dport`. Hosts go to the hash sets, prefixes to the
// interval sets; the caller never chooses.
struct ElementKey {
    Prefix source;
    L4 proto = L4::tcp;
    std::uint16_t port = 0;
    std::string str() const;  // "10.0.0.0/24 . tcp . 22", as the kernel error messages say it
    friend bool operator==(const ElementKey&, const ElementKey&) = default;
};

struct Element {
    ElementKey key;
    std::chrono::seconds timeout{0};  // kernel timeout, whole seconds, > 0
    std::string comment;  // at most 127 bytes, e.g. "jitd:g-5f2c9a01b2c3:1001:1763900000"
};

struct ListedElement {
    ElementKey key;
    std::chrono::milliseconds timeout{0};    // as set
    std::chrono::milliseconds remaining{0};  // until the kernel removes it
    std::string comment;
};

// One element of the `pending` set (no rule references it): jitd keeps its pending approval
// requests there so that they survive a restart. `key` is 64 bits (`mark . mark`); the
// timeout is the request's lapse, so the kernel drops it undecided on its own.
struct PendingElement {
    std::uint64_t key = 0;
    std::chrono::milliseconds timeout{0};    // as set; > 0
    std::chrono::milliseconds remaining{0};  // listing only: until the kernel removes it
    std::string comment;                     // at most 127 bytes
    friend bool operator==(const PendingElement&, const PendingElement&) = default;
};

// A TCP or UDP connection as this host sees it: the remote end and the local end (addresses in
// network byte order, both of `family`).
struct Tuple {
    Prefix::Family family = Prefix::Family::ipv4;
    std::array<std::uint8_t, 16> remote{};
    std::uint16_t remote_port = 0;
    std::array<std::uint8_t, 16> local{};
    std::uint16_t local_port = 0;
    std::string str() const;  // "198.51.100.2:40000 > 198.51.100.1:22", IPv6 in brackets
    friend bool operator==(const Tuple&, const Tuple&) = default;
};

// How long the first install lets conntrack pick up a TCP session that existed before it (the
// `pickup4`/`pickup6` element's timeout): any segment in either direction within it does.
inline constexpr std::chrono::seconds kPickupTimeout{600};

// One kernel transaction of element changes: all `remove`s then all `add`s. Removing a key the
// kernel already expired is not an error. An `add` for a key also in `remove` is a supersede.
// With `replace`, an `add` whose exact key the kernel still holds (a spent element, one jitd
// no longer tracks) replaces it in the same transaction; an overlapping prefix is refused
// either way. Without it, that add fails with Error::Kind::exists.
struct Change {
    std::vector<ElementKey> remove;
    std::vector<Element> add;
    bool replace = false;
    bool empty() const { return remove.empty() && add.empty(); }
};

// The ruleset in `nft -f` syntax, exactly what install() creates (grant sets empty).
std::string render_ruleset(const TableSpec& spec);

}  // namespace jitd::nft
