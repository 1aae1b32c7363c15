#include "agent/daemon/pending_book.hpp"

#include <algorithm>

#include "agent/daemon/grant_id.hpp"
#include "config/duration.hpp"

namespace jitd::agent {

bool PendingRequest::approved_by(uid_t u) const {
    return std::any_of(approvals.begin(), approvals.end(),
                       [u](const Approver& a) { return a.uid == u; });
}

std::string PendingRequest::approver_list() const {
    std::string out;
    for (const auto& a : approvals) {
        if (!out.empty()) out += ',';
        out += a.user;
    }
    return out;
}

nlohmann::json to_json(const PendingRequest& p) {
    nlohmann::json approvals = nlohmann::json::array();
    for (const auto& a : p.approvals) approvals.push_back(a.user);
    return {{"id", p.id},
            {"user", p.user},
            {"uid", p.uid},
            {"port", p.port},
            {"protocol", config::to_string(p.protocol)},
            {"source", p.source},
            {"duration", config::format_duration(p.duration)},
            {"reason", p.reason},
            {"requested", wire::format_iso8601(p.requested)},
            {"lapses", wire::format_iso8601(p.lapses)},
            {"required", p.required},
            {"approvals", std::move(approvals)}};
}

void PendingBook::add(PendingRequest p) {
    std::string id = p.id;
    by_id_.insert_or_assign(std::move(id), std::move(p));
}

const PendingRequest* PendingBook::find(std::string_view id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &it->second;
}

PendingRequest* PendingBook::find(std::string_view id) {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &it->second;
}

std::optional<PendingRequest> PendingBook::take(std::string_view id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return std::nullopt;
    PendingRequest p = std::move(it->second);
    by_id_.erase(it);
    return p;
}

std::size_t PendingBook::count_of(uid_t uid) const {
    return static_cast<std::size_t>(std::count_if(
        by_id_.begin(), by_id_.end(), [uid](const auto& kv) { return kv.second.uid == uid; }));
}

void PendingBook::for_each(const std::function<void(const PendingRequest&)>& fn) const {
    std::vector<const PendingRequest*> all;
    all.reserve(by_id_.size());
    for (const auto& [id, p] : by_id_) all.push_back(&p);
    std::stable_sort(all.begin(), all.end(),
                     [](const auto* a, const auto* b) { return a->requested < b->requested; });
    for (const auto* p : all) fn(*p);
}

std::vector<std::string> PendingBook::due(wire::SysSeconds now) const {
    std::vector<std::string> out;
    for (const auto& [id, p] : by_id_)
        if (p.lapses <= now) out.push_back(id);
    return out;
}

std::optional<wire::SysSeconds> PendingBook::next_lapse() const {
    std::optional<wire::SysSeconds> next;
    for (const auto& [id, p] : by_id_) next = std::min(next.value_or(p.lapses), p.lapses);
    return next;
}

std::string new_request_id() {
    std::string id = new_grant_id();
    id[0] = 'r';
    return id;
}

bool is_request_id(std::string_view s) {
    if (s.size() != 2 + kGrantIdHexDigits || s.substr(0, 2) != "r-") return false;
    std::string g(s);
    g[0] = 'g';
    return is_grant_id(g);
}

}  // namespace jitd::agent
