#include "agent/daemon/grant_rebuild.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/grant_id.hpp"
#include "agent/daemon/policy_bridge.hpp"

namespace jitd::agent {
namespace {

using SysMillis = std::chrono::sys_time<std::chrono::milliseconds>;

constexpr std::uint32_t kNoNext = UINT32_MAX;

// The elements of one grant id, in listing order: a chain through `Grouped::next` from
// `first` (no vector per grant: 100k heap blocks fewer to make and free at every start).
struct Group {
    ParsedComment comment;
    std::uint32_t first;
    std::uint32_t last;
};

struct Grouped {
    std::vector<Group> groups;
    std::vector<std::uint32_t> next;  // per element: the next element of its group
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
std::optional<ParsedComment> comment_of(const nft::ListedElement& e, OwnerCache& owners,
                                        std::size_t& legacy) {
    if (auto c = parse_comment_and_chain(e.comment)) return c;
    auto old = parse_legacy_comment(e.comment);
    if (!old) return std::nullopt;
    auto uid = owners.uid_of(old->user);
    if (!uid) return std::nullopt;
    ++legacy;
    return ParsedComment{GrantComment{std::move(old->id), *uid, old->start, {}, false}, {}};
}

// Elements grouped by the id's bits in first-seen order (a hash map: 100k elements in a few
// ms); the rest go to `strays`.
Grouped group_by_id(const std::vector<nft::ListedElement>& elements, OwnerCache& owners,
                    Rebuilt& out) {
    if (elements.size() >= kNoNext) throw std::length_error("too many elements to rebuild");
    Grouped g;
    g.groups.reserve(elements.size());
    g.next.assign(elements.size(), kNoNext);
    std::unordered_map<std::uint64_t, std::size_t> index;
    index.reserve(elements.size());
    for (std::uint32_t i = 0; i < elements.size(); ++i) {
        auto c = comment_of(elements[i], owners, out.legacy);
        if (!c) {
            out.strays.push_back(elements[i]);
            continue;
        }
        auto [it, fresh] = index.try_emplace(*grant_id_bits(c->comment.id), g.groups.size());
        if (fresh) {
            g.groups.push_back(Group{std::move(*c), i, i});
        } else {
            Group& group = g.groups[it->second];
            g.next[group.last] = i;
            group.last = i;
        }
    }
    return g;
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
LiveGrant grant_of(Group& g, const std::vector<nft::ListedElement>& elements,
                   const std::vector<std::uint32_t>& next, SysMillis now_ms, OwnerCache& owners,
                   std::vector<nft::ListedElement>& strays) {
    const nft::ListedElement& first = elements[g.first];
    LiveGrant lg;
    lg.source = to_cidr(first.key.source);
    lg.grant.id = g.comment.comment.id;
    lg.grant.uid = g.comment.comment.uid;
    lg.grant.user = owners.name_of(g.comment.comment.uid);
    lg.grant.port = first.key.port;
    lg.grant.start = g.comment.comment.start;
    lg.grant.reason = std::move(g.comment.comment.reason);
    if (g.comment.comment.reason_cut) lg.grant.reason += kCutMark;
    lg.set_chain_start(g.comment.chain_start);
    bool tcp = false, udp = false;
    std::chrono::milliseconds remaining{0}, timeout{0};
    for (std::uint32_t i = g.first; i != kNoNext; i = next[i]) {
        const nft::ListedElement* e = &elements[i];
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
    Grouped grouped = group_by_id(elements, cache, out);
    const auto now = std::chrono::floor<std::chrono::seconds>(now_ms);
    out.grants.reserve(grouped.groups.size());
    for (auto& g : grouped.groups) {
        LiveGrant lg = grant_of(g, elements, grouped.next, now_ms, cache, out.strays);
        if (lg.grant.end <= now)
            out.spent.push_back(elements[g.first]);
        else
            out.grants.push_back(std::move(lg));
    }
    return out;
}

}  // namespace jitd::agent
