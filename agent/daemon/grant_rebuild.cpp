#include "agent/daemon/grant_rebuild.hpp"

#include <algorithm>
#include <unordered_map>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/grant_id.hpp"
#include "agent/daemon/policy_bridge.hpp"

namespace jitd::agent {
namespace {

using SysMillis = std::chrono::sys_time<std::chrono::milliseconds>;

// The elements of one grant id, in listing order.
struct Group {
    GrantComment comment;
    std::vector<const nft::ListedElement*> elements;
};

// Owner lookups of one rebuild: one NSS lookup per name or uid, not per element.
class OwnerCache {
  public:
    explicit OwnerCache(const OwnerLookup& owners) : owners_(owners) {}
    std::optional<uid_t> uid_of(const std::string& name) {
        auto [it, fresh] = uids_.try_emplace(name);
        if (fresh) it->second = owners_.uid_of_name(name);
        return it->second;
    }
    const std::string& name_of(uid_t uid) {
        auto [it, fresh] = names_.try_emplace(uid);
        if (fresh) it->second = owners_.name_of_uid(uid);
        return it->second;
    }

  private:
    const OwnerLookup& owners_;
    std::unordered_map<std::string, std::optional<uid_t>> uids_;
    std::unordered_map<uid_t, std::string> names_;
};

// The comment of an element in either format; nullopt for a stray. The previous release's
// "jitd:<id>:<name>:<start>" counts only when the name is portable and still known.
std::optional<GrantComment> comment_of(const nft::ListedElement& e, OwnerCache& owners,
                                       std::size_t& legacy) {
    if (auto c = parse_comment(e.comment)) return c;
    auto old = parse_legacy_comment(e.comment);
    if (!old) return std::nullopt;
    auto uid = owners.uid_of(old->user);
    if (!uid) return std::nullopt;
    ++legacy;
    return GrantComment{std::move(old->id), *uid, old->start, {}, false};
}

// Elements grouped by the id's bits in first-seen order (a hash map: 100k elements in a few
// ms); the rest go to `strays`.
std::vector<Group> group_by_id(const std::vector<nft::ListedElement>& elements, OwnerCache& owners,
                               Rebuilt& out) {
    std::vector<Group> groups;
    groups.reserve(elements.size());
    std::unordered_map<std::uint64_t, std::size_t> index;
    index.reserve(elements.size());
    for (const auto& e : elements) {
        auto c = comment_of(e, owners, out.legacy);
        if (!c) {
            out.strays.push_back(e);
            continue;
        }
        auto [it, fresh] = index.try_emplace(*grant_id_bits(c->id), groups.size());
        if (fresh) groups.push_back(Group{std::move(*c), {}});
        groups[it->second].elements.push_back(&e);
    }
    return groups;
}

// The kernel's expiry lies within a second after the grant's end (the element was added at
// start + a fraction). A never-extended grant ends at start + timeout exactly.
wire::SysSeconds end_of(wire::SysSeconds start, std::chrono::milliseconds remaining,
                        std::chrono::milliseconds timeout, SysMillis now_ms) {
    const auto expiry_ms = now_ms + remaining;
    const auto untouched_end = start + std::chrono::duration_cast<std::chrono::seconds>(timeout);
    const auto gap = expiry_ms - untouched_end;
    if (gap >= std::chrono::milliseconds(-1500) && gap <= std::chrono::milliseconds(1500))
        return untouched_end;
    return std::chrono::floor<std::chrono::seconds>(expiry_ms);
}

// The grant of one group: the first element's source and port, with the other protocol's
// element of the same source and port if there is one; any other element under the id is a
// stray (a second source or port under one id is not ours to guess).
LiveGrant grant_of(Group& g, SysMillis now_ms, OwnerCache& owners,
                   std::vector<nft::ListedElement>& strays) {
    const nft::ListedElement& first = *g.elements.front();
    LiveGrant lg;
    lg.source = to_cidr(first.key.source);
    lg.grant.id = g.comment.id;
    lg.grant.uid = g.comment.uid;
    lg.grant.user = owners.name_of(g.comment.uid);
    lg.grant.port = first.key.port;
    lg.grant.start = g.comment.start;
    lg.grant.reason = std::move(g.comment.reason);
    if (g.comment.reason_cut) lg.grant.reason += kCutMark;
    lg.chain_start = parse_comment_chain_start(first.comment);
    bool tcp = false, udp = false;
    std::chrono::milliseconds remaining{0}, timeout{0};
    for (const auto* e : g.elements) {
        const bool same = e->key.source == first.key.source && e->key.port == first.key.port;
        if (!same) {
            strays.push_back(*e);
            continue;
        }
        bool& seen = e->key.proto == nft::L4::tcp ? tcp : udp;
        if (seen) continue;
        seen = true;
        remaining = std::max(remaining, e->remaining);
        timeout = std::max(timeout, e->timeout);
    }
    lg.grant.protocol = tcp && udp ? config::Protocol::any : protocol_of(first.key.proto);
    lg.grant.source = lg.source.str_with_len();
    lg.grant.end = end_of(lg.grant.start, remaining, timeout, now_ms);
    return lg;
}

}  // namespace

Rebuilt rebuild_grants(const std::vector<nft::ListedElement>& elements, SysMillis now_ms,
                       const OwnerLookup& owners) {
    Rebuilt out;
    OwnerCache cache(owners);
    std::vector<Group> groups = group_by_id(elements, cache, out);
    const auto now = std::chrono::floor<std::chrono::seconds>(now_ms);
    out.grants.reserve(groups.size());
    for (auto& g : groups) {
        LiveGrant lg = grant_of(g, now_ms, cache, out.strays);
        if (lg.grant.end <= now)
            out.spent.push_back(*g.elements.front());
        else
            out.grants.push_back(std::move(lg));
    }
    return out;
}

}  // namespace jitd::agent
