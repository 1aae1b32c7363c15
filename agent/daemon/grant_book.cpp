#include "agent/daemon/grant_book.hpp"

#include <algorithm>
#include <stdexcept>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/grant_id.hpp"
#include "agent/daemon/policy_bridge.hpp"

namespace jitd::agent {

std::size_t ElementKeyHash::operator()(const nft::ElementKey& k) const noexcept {
    // FNV-1a over the key's bytes: cheap and well spread for addresses.
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::uint8_t b) {
        h ^= b;
        h *= 1099511628211ull;
    };
    std::size_t n = k.source.family == nft::Prefix::Family::ipv4 ? 4 : 16;
    for (std::size_t i = 0; i < n; ++i) mix(k.source.bytes[i]);
    mix(static_cast<std::uint8_t>(k.source.family));
    mix(k.source.len);
    mix(static_cast<std::uint8_t>(k.proto));
    mix(static_cast<std::uint8_t>(k.port >> 8));
    mix(static_cast<std::uint8_t>(k.port & 0xff));
    return static_cast<std::size_t>(h);
}

nft::Element element_of(const LiveGrant& g, const nft::ElementKey& key, wire::SysSeconds now) {
    nft::Element e;
    e.key = key;
    e.timeout = std::max(g.grant.end - now, std::chrono::seconds(1));
    e.comment = format_comment({g.grant.id, g.grant.uid, g.grant.start}, g.chain_start);
    return e;
}

std::vector<nft::ElementKey> keys_of(const config::Cidr& source, config::Protocol protocol,
                                     std::uint16_t port) {
    std::vector<nft::ElementKey> keys;
    for (nft::L4 l4 : l4s_of(protocol)) keys.push_back({to_prefix(source), l4, port});
    return keys;
}

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

void GrantBook::index_end(wire::SysSeconds end, Key id) {
    by_end_[end].insert(id);
}

void GrantBook::unindex_end(wire::SysSeconds end, Key id) {
    auto it = by_end_.find(end);
    if (it == by_end_.end()) return;
    it->second.erase(id);
    if (it->second.empty()) by_end_.erase(it);
}

void GrantBook::reserve(std::size_t n) {
    grants_.reserve(n);
    by_key_.reserve(n * 2);
}

void GrantBook::add(LiveGrant g) {
    const auto bits = grant_id_bits(g.grant.id);
    if (!bits) throw std::invalid_argument("malformed grant id '" + g.grant.id + "'");
    const Key id = *bits;
    remove(g.grant.id);
    for (const auto& k : g.keys) {
        by_key_[k] = id;
        if (!k.source.is_host()) prefix_ids_[port_slot(k.proto, k.port)].insert(id);
    }
    ++per_user_[g.grant.uid];
    ++per_port_[port_count_slot(g.grant.port, g.grant.protocol)];
    index_end(g.grant.end, id);
    grants_.emplace(id, std::move(g));
}

std::optional<LiveGrant> GrantBook::remove(const std::string& text_id) {
    const auto bits = grant_id_bits(text_id);
    if (!bits) return std::nullopt;
    const Key id = *bits;
    auto it = grants_.find(id);
    if (it == grants_.end()) return std::nullopt;
    LiveGrant g = std::move(it->second);
    grants_.erase(it);
    for (const auto& k : g.keys) {
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
    unindex_end(g.grant.end, id);
    return g;
}

void GrantBook::set_end(const std::string& text_id, wire::SysSeconds end) {
    const auto bits = grant_id_bits(text_id);
    if (!bits) return;
    const Key id = *bits;
    auto it = grants_.find(id);
    if (it == grants_.end()) return;
    unindex_end(it->second.grant.end, id);
    it->second.grant.end = end;
    index_end(end, id);
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

Rebuilt rebuild_grants(const std::vector<nft::ListedElement>& elements,
                       std::chrono::sys_time<std::chrono::milliseconds> now_ms,
                       const OwnerLookup& owners) {
    Rebuilt out;
    struct Group {
        GrantComment comment;
        std::vector<const nft::ListedElement*> elements;
    };
    // Grouped by the id's bits in first-seen order (a hash map: 100k elements in a few ms).
    std::vector<Group> groups;
    groups.reserve(elements.size());
    std::unordered_map<std::uint64_t, std::size_t> index;
    index.reserve(elements.size());
    // One NSS lookup per name or uid, not per element.
    std::unordered_map<std::string, std::optional<uid_t>> legacy_uids;
    std::unordered_map<uid_t, std::string> names;
    for (const auto& e : elements) {
        auto c = parse_comment(e.comment);
        if (!c) {
            // The previous release's "jitd:<id>:<name>:<start>": the name, if portable and
            // still known, gives the owner's uid; anything else is a stray.
            if (auto legacy = parse_legacy_comment(e.comment)) {
                auto [it, fresh] = legacy_uids.try_emplace(legacy->user);
                if (fresh) it->second = owners.uid_of_name(legacy->user);
                if (it->second) {
                    c = GrantComment{std::move(legacy->id), *it->second, legacy->start};
                    ++out.legacy;
                }
            }
        }
        if (!c) {
            out.strays.push_back(e);
            continue;
        }
        auto [it, fresh] = index.try_emplace(*grant_id_bits(c->id), groups.size());
        if (fresh) groups.push_back(Group{std::move(*c), {}});
        groups[it->second].elements.push_back(&e);
    }
    const auto now = std::chrono::floor<std::chrono::seconds>(now_ms);
    out.grants.reserve(groups.size());
    for (auto& g : groups) {
        const std::string& id = g.comment.id;
        const nft::ListedElement& first = *g.elements.front();
        LiveGrant lg;
        lg.source = to_cidr(first.key.source);
        lg.grant.id = id;
        lg.grant.uid = g.comment.uid;
        auto [name, fresh] = names.try_emplace(g.comment.uid);
        if (fresh) name->second = owners.name_of_uid(g.comment.uid);
        lg.grant.user = name->second;
        lg.grant.port = first.key.port;
        lg.grant.start = g.comment.start;
        lg.chain_start = parse_comment_chain_start(first.comment);
        bool tcp = false, udp = false;
        std::chrono::milliseconds remaining{0}, timeout{0};
        for (const auto* e : g.elements) {
            if (e->key.source != first.key.source || e->key.port != first.key.port) continue;
            if (std::find(lg.keys.begin(), lg.keys.end(), e->key) != lg.keys.end()) continue;
            (e->key.proto == nft::L4::tcp ? tcp : udp) = true;
            lg.keys.push_back(e->key);
            remaining = std::max(remaining, e->remaining);
            timeout = std::max(timeout, e->timeout);
        }
        lg.grant.protocol = tcp && udp ? config::Protocol::any : protocol_of(first.key.proto);
        lg.grant.source = lg.source.str_with_len();
        // The kernel's expiry lies within a second after the grant's end (the element was
        // added at start + a fraction). A never-extended grant ends at start + timeout exactly.
        auto expiry_ms = now_ms + remaining;
        auto untouched_end =
            lg.grant.start + std::chrono::duration_cast<std::chrono::seconds>(timeout);
        auto gap = expiry_ms - untouched_end;
        if (gap >= std::chrono::milliseconds(-1500) && gap <= std::chrono::milliseconds(1500))
            lg.grant.end = untouched_end;
        else
            lg.grant.end = std::chrono::floor<std::chrono::seconds>(expiry_ms);
        for (const auto* e : g.elements)
            if (std::find(lg.keys.begin(), lg.keys.end(), e->key) == lg.keys.end())
                out.strays.push_back(*e);  // a second source/port under one id: not ours to guess
        if (lg.grant.end <= now)
            out.spent.push_back(first);
        else
            out.grants.push_back(std::move(lg));
    }
    return out;
}

}  // namespace jitd::agent
