// The live grants, indexed so that every request costs O(1)/O(log n) in their number:
// by id, by kernel element key, by end time, per user, per port. The kernel is the truth;
// the book is rebuilt from its elements at start (grant_rebuild.hpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/daemon/grant_elements.hpp"
#include "agent/daemon/live_grant.hpp"

namespace jitd::agent {

class GrantBook {
  public:
    std::size_t size() const { return grants_.size(); }
    const LiveGrant* find(const std::string& id) const;
    const LiveGrant* find_by_key(const nft::ElementKey& key) const;
    // A live prefix (non-host) grant on proto/port whose prefix overlaps `source`, other than
    // `except_id`. Scans only the prefix grants of that proto/port.
    const LiveGrant* overlapping_prefix(const config::Cidr& source, nft::L4 proto,
                                        std::uint16_t port, const std::string& except_id) const;
    // Live grants owned by `uid` (owners are uids; names are for display).
    unsigned count_for(uid_t uid) const;
    // Live grants on `port` that a rule of `protocol` covers.
    unsigned active_on(std::uint16_t port, config::Protocol rule_protocol) const;

    // Room for `n` grants without rehashing (a rebuild knows how many come).
    void reserve(std::size_t n);
    // Adds (or replaces by id). Throws std::invalid_argument for a malformed id.
    void add(LiveGrant g);
    std::optional<LiveGrant> remove(const std::string& id);
    void set_end(const std::string& id, wire::SysSeconds end);
    // Moves a grant's start and end by the same amount so that it ends at `end` (the wall
    // clock stepped: the window is the same, its times are re-read from the kernel).
    void retime(const std::string& id, wire::SysSeconds end);

    std::optional<wire::SysSeconds> next_end() const;
    // The earliest end later than `t`.
    std::optional<wire::SysSeconds> next_end_after(wire::SysSeconds t) const;
    // Ids whose end is at or before `now`, earliest first.
    std::vector<std::string> due(wire::SysSeconds now) const;
    // Visits every grant, in no particular order.
    void for_each(const std::function<void(const LiveGrant&)>& fn) const;
    // Visits grants in end order (then id).
    void for_each_by_end(const std::function<void(const LiveGrant&)>& fn) const;

  private:
    // Grants are indexed by the 48 random bits of their id: integers hash and compare faster
    // than strings, and numeric order is the ids' text order.
    using Key = std::uint64_t;
    static std::uint32_t port_slot(nft::L4 proto, std::uint16_t port);
    const LiveGrant* find(Key key) const;

    std::unordered_map<Key, LiveGrant> grants_;
    std::unordered_map<nft::ElementKey, Key, ElementKeyHash> by_key_;
    std::unordered_map<std::uint32_t, std::unordered_set<Key>> prefix_ids_;
    std::unordered_map<uid_t, unsigned> per_user_;
    std::unordered_map<std::uint32_t, unsigned> per_port_;  // port << 2 | protocol
    // Ends are whole seconds and grants made together end together: one bucket per second
    // keeps the ordered part small (a tree of seconds). A bucket is a vector of ids, each
    // grant knowing its slot (LiveGrant::end_slot): 8 bytes per grant where a hash set took
    // ~40, and removal is a swap with the last, not a search.
    std::map<wire::SysSeconds, std::vector<Key>> by_end_;
    // Enters the grant in (takes it out of) every index but grants_ itself.
    void index(Key id, LiveGrant& g);
    void unindex(Key id, const LiveGrant& g);
    void index_end(Key id, LiveGrant& g);
    void unindex_end(Key id, const LiveGrant& g);
};

}  // namespace jitd::agent
