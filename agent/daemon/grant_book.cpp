#include "agent/daemon/grant_book.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "agent/daemon/grant_id.hpp"

namespace jitd::agent {

std::uint32_t GrantBook::port_slot(nft::L4 proto, std::uint16_t port) {
    return static_cast<std::uint32_t>(proto) << 16 | port;
}

static std::uint32_t port_count_slot(std::uint16_t port, config::Protocol p) {
    return static_cast<std::uint32_t>(port) << 2 | static_cast<std::uint32_t>(p);
}

const LiveGrant* GrantBook::find(Key key) const {
    auto it = grants_.find(key);
    return it == grants_.end() ? nullptr : &it->second;
}

const LiveGrant* GrantBook::find(const std::string& id) const {
    auto key = grant_id_bits(id);
    return key ? find(*key) : nullptr;
}

const LiveGrant* GrantBook::find_by_key(const nft::ElementKey& key) const {
    auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : find(it->second);
}

const LiveGrant* GrantBook::overlapping_prefix(const config::Cidr& source, nft::L4 proto,
                                               std::uint16_t port,
                                               const std::string& except_id) const {
    auto slot = prefix_ids_.find(port_slot(proto, port));
    if (slot == prefix_ids_.end()) return nullptr;
    const auto except = grant_id_bits(except_id);
    for (Key id : slot->second) {
        if (except && id == *except) continue;
        const LiveGrant* g = find(id);
        if (g != nullptr && g->source.overlaps(source)) return g;
    }
    return nullptr;
}

unsigned GrantBook::count_for(uid_t uid) const {
    auto it = per_user_.find(uid);
    return it == per_user_.end() ? 0 : it->second;
}

unsigned GrantBook::active_on(std::uint16_t port, config::Protocol rule_protocol) const {
    auto count = [&](config::Protocol p) {
        auto it = per_port_.find(port_count_slot(port, p));
        return it == per_port_.end() ? 0u : it->second;
    };
    switch (rule_protocol) {
        case config::Protocol::tcp:
            return count(config::Protocol::tcp) + count(config::Protocol::any);
        case config::Protocol::udp:
            return count(config::Protocol::udp) + count(config::Protocol::any);
        case config::Protocol::any:
            break;
    }
    return count(config::Protocol::tcp) + count(config::Protocol::udp) +
           count(config::Protocol::any);
}

void GrantBook::index_end(Key id, LiveGrant& g) {
    // Grants added in end order (a rebuild sorts them; new grants mostly end last) find their
    // bucket at the tree's end: a lookup from the root missed the cache at every level and was
    // the largest user-space cost of rebuilding 100k grants.
    const wire::SysSeconds end = g.grant.end;
    auto bucket = by_end_.end();
    if (!by_end_.empty() && std::prev(by_end_.end())->first <= end) {
        bucket = std::prev(by_end_.end());
        if (bucket->first < end)
            bucket = by_end_.emplace_hint(by_end_.end(), end, std::vector<Key>{});
    } else {
        bucket = by_end_.try_emplace(end).first;
    }
    g.end_slot = static_cast<std::uint32_t>(bucket->second.size());
    bucket->second.push_back(id);
}

void GrantBook::unindex_end(Key id, const LiveGrant& g) {
    auto it = by_end_.find(g.grant.end);
    if (it == by_end_.end()) return;
    std::vector<Key>& ids = it->second;
    const std::size_t slot = g.end_slot;
    if (slot >= ids.size() || ids[slot] != id) return;  // not indexed there (cannot happen)
    if (slot + 1 != ids.size()) {
        ids[slot] = ids.back();
        grants_.at(ids[slot]).end_slot = static_cast<std::uint32_t>(slot);
    }
    ids.pop_back();
    if (ids.empty()) by_end_.erase(it);
}

void GrantBook::reserve(std::size_t n) {
    grants_.reserve(n);
    by_key_.reserve(n * 2);
}

void GrantBook::index(Key id, LiveGrant& g) {
    for (const auto& k : g.keys()) {
        by_key_[k] = id;
        if (!k.source.is_host()) prefix_ids_[port_slot(k.proto, k.port)].insert(id);
    }
    ++per_user_[g.grant.uid];
    ++per_port_[port_count_slot(g.grant.port, g.grant.protocol)];
    index_end(id, g);
}

void GrantBook::unindex(Key id, const LiveGrant& g) {
    for (const auto& k : g.keys()) {
        auto bk = by_key_.find(k);
        if (bk != by_key_.end() && bk->second == id) by_key_.erase(bk);
        if (!k.source.is_host()) {
            auto slot = prefix_ids_.find(port_slot(k.proto, k.port));
            if (slot != prefix_ids_.end()) {
                slot->second.erase(id);
                if (slot->second.empty()) prefix_ids_.erase(slot);
            }
        }
    }
    if (auto u = per_user_.find(g.grant.uid); u != per_user_.end() && --u->second == 0)
        per_user_.erase(u);
    if (auto p = per_port_.find(port_count_slot(g.grant.port, g.grant.protocol));
        p != per_port_.end() && --p->second == 0)
        per_port_.erase(p);
    unindex_end(id, g);
}

void GrantBook::add(LiveGrant g) {
    const auto bits = grant_id_bits(g.grant.id);
    if (!bits) throw std::invalid_argument("malformed grant id '" + g.grant.id + "'");
    const Key id = *bits;
    // One lookup for both cases: a rebuild adds 100k new ids and each miss costs a cache line.
    auto [it, fresh] = grants_.try_emplace(id);
    if (!fresh) unindex(id, it->second);
    index(id, g);
    it->second = std::move(g);
}

std::optional<LiveGrant> GrantBook::remove(const std::string& text_id) {
    const auto bits = grant_id_bits(text_id);
    if (!bits) return std::nullopt;
    const Key id = *bits;
    auto it = grants_.find(id);
    if (it == grants_.end()) return std::nullopt;
    unindex(id, it->second);
    LiveGrant g = std::move(it->second);
    grants_.erase(it);
    return g;
}

void GrantBook::set_end(const std::string& text_id, wire::SysSeconds end) {
    const auto bits = grant_id_bits(text_id);
    if (!bits) return;
    const Key id = *bits;
    auto it = grants_.find(id);
    if (it == grants_.end()) return;
    unindex_end(id, it->second);
    it->second.grant.end = end;
    index_end(id, it->second);
}

void GrantBook::retime(const std::string& text_id, wire::SysSeconds end) {
    const auto bits = grant_id_bits(text_id);
    if (!bits) return;
    auto it = grants_.find(*bits);
    if (it == grants_.end()) return;
    it->second.grant.start += end - it->second.grant.end;
    set_end(text_id, end);
}

std::optional<wire::SysSeconds> GrantBook::next_end_after(wire::SysSeconds t) const {
    auto it = by_end_.upper_bound(t);
    if (it == by_end_.end()) return std::nullopt;
    return it->first;
}

std::optional<wire::SysSeconds> GrantBook::next_end() const {
    if (by_end_.empty()) return std::nullopt;
    return by_end_.begin()->first;
}

std::vector<std::string> GrantBook::due(wire::SysSeconds now) const {
    std::vector<std::string> ids;
    for (auto it = by_end_.begin(); it != by_end_.end() && it->first <= now; ++it)
        for (Key id : it->second) ids.push_back(grants_.at(id).grant.id);
    return ids;
}

void GrantBook::for_each(const std::function<void(const LiveGrant&)>& fn) const {
    for (const auto& [id, g] : grants_) fn(g);
}

void GrantBook::for_each_by_end(const std::function<void(const LiveGrant&)>& fn) const {
    std::vector<Key> same_end;
    for (const auto& [end, ids] : by_end_) {
        same_end.assign(ids.begin(), ids.end());
        std::sort(same_end.begin(), same_end.end());  // a stable order within one second
        for (Key id : same_end) fn(grants_.at(id));
    }
}

}  // namespace jitd::agent
