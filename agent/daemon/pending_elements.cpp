#include "agent/daemon/pending_elements.hpp"

#include <charconv>
#include <limits>
#include <map>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/comment_reason.hpp"
#include "agent/daemon/grant_id.hpp"
#include "config/cidr.hpp"

namespace jitd::agent {
namespace {

using Millis = std::chrono::milliseconds;

char proto_letter(config::Protocol p) {
    switch (p) {
        case config::Protocol::tcp:
            return 't';
        case config::Protocol::udp:
            return 'u';
        case config::Protocol::any:
            break;
    }
    return 'a';
}

std::optional<config::Protocol> proto_of(std::string_view s) {
    if (s == "t") return config::Protocol::tcp;
    if (s == "u") return config::Protocol::udp;
    if (s == "a") return config::Protocol::any;
    return std::nullopt;
}

// Cuts `text` at the next ':'; the field before it.
std::optional<std::string_view> next_field(std::string_view& text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string_view field = text.substr(0, colon);
    text.remove_prefix(colon + 1);
    return field;
}

constexpr std::uint64_t kMaxUid = std::numeric_limits<uid_t>::max() - 1u;
constexpr std::uint64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

}  // namespace

std::optional<std::uint64_t> pending_key(std::string_view id, unsigned slot) {
    if (!is_request_id(id) || slot > kMaxApprovalSlots) return std::nullopt;
    std::string g(id);
    g[0] = 'g';
    const auto bits = grant_id_bits(g);
    if (!bits) return std::nullopt;
    return *bits << 16 | slot;
}

std::string request_id_of(std::uint64_t key) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "r-";
    for (int shift = 60; shift >= 16; shift -= 4) id += kHex[(key >> shift) & 0xf];
    return id;
}

unsigned slot_of(std::uint64_t key) {
    return static_cast<unsigned>(key & 0xffff);
}

std::string format_pending_comment(const PendingRequest& p) {
    std::string out =
        std::string(kPendingPrefix) + std::to_string(p.uid) + ":" + std::to_string(p.port) + ":" +
        proto_letter(p.protocol) + ":" + std::to_string(p.duration.count()) + ":" +
        std::to_string(p.requested.time_since_epoch().count()) + ":" + std::to_string(p.required) +
        ":" + (p.channel == "remote" ? "r" : "s") + ":" + p.source;
    if (out.size() < kMaxKernelComment)
        out += format_reason_field(p.reason, p.reason_cut, kMaxKernelComment - out.size());
    return out;
}

std::string format_approval_comment(const Approver& a, wire::SysSeconds at) {
    return std::string(kApprovalPrefix) + std::to_string(a.uid) + ":" +
           std::to_string(at.time_since_epoch().count());
}

std::optional<PendingRequest> parse_pending_comment(std::string_view text) {
    if (text.size() > kMaxKernelComment || text.substr(0, kPendingPrefix.size()) != kPendingPrefix)
        return std::nullopt;
    text.remove_prefix(kPendingPrefix.size());
    PendingRequest p;
    const auto uid = next_field(text), port = next_field(text), proto = next_field(text),
               duration = next_field(text), requested = next_field(text),
               required = next_field(text), channel = next_field(text);
    if (!channel) return std::nullopt;
    const auto u = canonical_decimal(*uid, kMaxUid), po = canonical_decimal(*port, 65535),
               d = canonical_decimal(*duration, std::uint64_t{7} * 24 * 3600),
               t = canonical_decimal(*requested, kMaxTime),
               n = canonical_decimal(*required, kMaxApprovalSlots);
    const auto pr = proto_of(*proto);
    if (!u || !po || *po == 0 || !d || *d == 0 || !t || !n || *n == 0 || !pr) return std::nullopt;
    if (*channel != "s" && *channel != "r") return std::nullopt;
    const auto reason_at = text.find(":r");
    const std::string_view source = text.substr(0, reason_at);
    const auto cidr = config::parse_cidr(source);
    if (!cidr || cidr.value.str_with_len() != source) return std::nullopt;
    if (reason_at != std::string_view::npos) {
        auto reason = parse_reason_field(text.substr(reason_at));
        if (!reason) return std::nullopt;
        p.reason = std::move(reason->text);
        p.reason_cut = reason->cut;
    }
    p.uid = static_cast<uid_t>(*u);
    p.port = static_cast<std::uint16_t>(*po);
    p.protocol = *pr;
    p.duration = std::chrono::seconds(*d);
    p.requested = wire::SysSeconds(std::chrono::seconds(*t));
    p.required = static_cast<unsigned>(*n);
    p.channel = *channel == "r" ? "remote" : "socket";
    p.source = std::string(source);
    return p;
}

std::optional<uid_t> parse_approval_comment(std::string_view text) {
    if (text.substr(0, kApprovalPrefix.size()) != kApprovalPrefix) return std::nullopt;
    text.remove_prefix(kApprovalPrefix.size());
    const auto uid = next_field(text);
    if (!uid) return std::nullopt;
    const auto u = canonical_decimal(*uid, kMaxUid);
    if (!u || !canonical_decimal(text, kMaxTime)) return std::nullopt;
    return static_cast<uid_t>(*u);
}

std::vector<nft::PendingElement> elements_of(const PendingRequest& p, wire::SysSeconds now) {
    std::vector<nft::PendingElement> out;
    const Millis left = std::max<Millis>(p.lapses - now, std::chrono::seconds(1));
    if (const auto k = pending_key(p.id, 0))
        out.push_back({*k, left, {}, format_pending_comment(p)});
    for (unsigned i = 0; i < p.approvals.size(); ++i)
        if (const auto k = pending_key(p.id, i + 1))
            out.push_back({*k, left, {}, format_approval_comment(p.approvals[i], now)});
    return out;
}

RebuiltPending rebuild_pending_requests(const std::vector<nft::PendingElement>& elements,
                                        std::chrono::sys_time<Millis> now) {
    RebuiltPending out;
    std::map<std::string, PendingRequest> requests;
    std::map<std::string, std::map<unsigned, std::pair<uid_t, std::uint64_t>>> approvals;
    for (const auto& e : elements) {
        const std::string id = request_id_of(e.key);
        const unsigned slot = slot_of(e.key);
        if (slot == 0) {
            auto p = parse_pending_comment(e.comment);
            if (!p) {
                out.strays.push_back(e.key);
                continue;
            }
            p->id = id;
            p->lapses = std::chrono::floor<std::chrono::seconds>(now + e.remaining);
            requests.emplace(id, std::move(*p));
        } else if (auto uid = parse_approval_comment(e.comment); uid && slot <= kMaxApprovalSlots) {
            approvals[id][slot] = {*uid, e.key};
        } else {
            out.strays.push_back(e.key);
        }
    }
    for (auto& [id, slots] : approvals) {
        auto it = requests.find(id);
        for (const auto& [slot, a] : slots) {
            // Approvals of a request that is gone, twice, more than it needs, or after a gap
            // (slots stay 1..n, so the next approval's slot is free): not ours to keep.
            if (it == requests.end() || it->second.approved_by(a.first) ||
                it->second.approvals.size() + 1 >= it->second.required ||
                slot != it->second.approvals.size() + 1) {
                out.strays.push_back(a.second);
                continue;
            }
            it->second.approvals.push_back({"", a.first});
        }
    }
    for (auto& [id, p] : requests) out.requests.push_back(std::move(p));
    return out;
}

}  // namespace jitd::agent
