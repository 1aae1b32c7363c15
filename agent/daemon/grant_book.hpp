// The live grants, indexed so that every request costs O(1)/O(log n) in their number:
// by id, by kernel element key, by end time, per user, per port. The kernel is the truth;
// the book is rebuilt from its elements at start.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "agent/wire/grant.hpp"
#include "config/cidr.hpp"
#include "nft/model.hpp"

namespace jitd::agent {

struct LiveGrant {
    wire::Grant grant;
    config::Cidr source;
    std::vector<nft::ElementKey> keys;  // one per protocol (two for `any`)
};

struct ElementKeyHash {
    std::size_t operator()(const nft::ElementKey& k) const noexcept;
};

// One grant element of a grant, as the kernel should hold it.
nft::Element element_of(const LiveGrant& g, const nft::ElementKey& key, wire::SysSeconds now);
// The keys a grant of `protocol` on `port` from `source` occupies.
std::vector<nft::ElementKey> keys_of(const config::Cidr& source, config::Protocol protocol,
                                     std::uint16_t port);

class GrantBook {
  public:
    std::size_t size() const { return grants_.size(); }
    const LiveGrant* find(const std::string& id) const;
    const LiveGrant* find_by_key(const nft::ElementKey& key) const;
    // A live prefix (non-host) grant on proto/port whose prefix overlaps `source`, other than
    // `except_id`. Scans only the prefix grants of that proto/port.
    const LiveGrant* overlapping_prefix(const config::Cidr& source, nft::L4 proto,
                                        std::uint16_t port, const std::string& except_id) const;
    unsigned count_for(const std::string& user) const;
    // Live grants on `port` that a rule of `protocol` covers.
    unsigned active_on(std::uint16_t port, config::Protocol rule_protocol) const;

    // Adds (or replaces by id).
    void add(LiveGrant g);
    std::optional<LiveGrant> remove(const std::string& id);
    void set_end(const std::string& id, wire::SysSeconds end);

    std::optional<wire::SysSeconds> next_end() const;
    // Ids whose end is at or before `now`, earliest first.
    std::vector<std::string> due(wire::SysSeconds now) const;
    // Visits grants in end order (then id).
    void for_each_by_end(const std::function<void(const LiveGrant&)>& fn) const;

  private:
    static std::uint32_t port_slot(nft::L4 proto, std::uint16_t port);

    std::unordered_map<std::string, LiveGrant> grants_;
    std::unordered_map<nft::ElementKey, std::string, ElementKeyHash> by_key_;
    std::unordered_map<std::uint32_t, std::unordered_set<std::string>> prefix_ids_;
    std::unordered_map<std::string, unsigned> per_user_;
    std::unordered_map<std::uint32_t, unsigned> per_port_;  // port << 2 | protocol
    std::set<std::pair<wire::SysSeconds, std::string>> by_end_;
};

// Grants read back from the kernel's elements.
struct Rebuilt {
    std::vector<LiveGrant> grants;
    std::vector<nft::ListedElement> strays;  // elements without our comment
    std::vector<nft::ListedElement> spent;   // grants whose time is already up
};

// Groups elements by the id in their comment; a tcp and a udp element of one id with the same
// source and port are one `any` grant. `now_ms` is the wall clock at listing time; each end is
// the kernel's expiry rounded to the grant's whole-second timeline.
Rebuilt rebuild_grants(const std::vector<nft::ListedElement>& elements,
                       std::chrono::sys_time<std::chrono::milliseconds> now_ms,
                       const std::function<uid_t(const std::string&)>& uid_of_user);

}  // namespace jitd::agent
