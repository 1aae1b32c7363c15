#include "agent/daemon/deny_limiter.hpp"

#include <algorithm>

#include "agent/daemon/audit.hpp"

namespace jitd::agent {
namespace {

DenyLimiter* g_limiter = nullptr;

}  // namespace

DenyLimiter::DenyLimiter(unsigned burst, Clock::duration refill)
    : burst_(static_cast<double>(std::max(burst, 1u))), refill_(refill) {}

void DenyLimiter::refill(Bucket& b, Clock::time_point now) const {
    if (now <= b.updated) return;
    const double earned =
        std::chrono::duration<double>(now - b.updated) / std::chrono::duration<double>(refill_);
    b.tokens = std::min(burst_, b.tokens + earned);
    b.updated = now;
}

bool DenyLimiter::admit(uid_t uid, Clock::time_point now, wire::SysSeconds wall) {
    auto [it, fresh] = buckets_.try_emplace(uid);
    Bucket& b = it->second;
    if (fresh) {
        b.tokens = burst_;
        b.updated = now;
    }
    refill(b, now);
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
    }
    if (b.held.count == 0) {
        b.held.uid = uid;
        b.held.first = wall;
    }
    ++b.held.count;
    b.held.last = wall;
    return false;
}

std::vector<DenyLimiter::Suppressed> DenyLimiter::take_suppressed(Clock::time_point now) {
    std::vector<Suppressed> out;
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        Bucket& b = it->second;
        if (b.held.count != 0) {
            out.push_back(b.held);
            b.held = {};
        }
        refill(b, now);
        if (b.tokens >= burst_)
            it = buckets_.erase(it);
        else
            ++it;
    }
    return out;
}

DenyLimiter::Suppressed DenyLimiter::take_suppressed(uid_t uid) {
    auto it = buckets_.find(uid);
    if (it == buckets_.end()) return {};
    Suppressed s = it->second.held;
    it->second.held = {};
    return s;
}

void install_deny_limiter(DenyLimiter* limiter) {
    g_limiter = limiter;
}

DenyLimiter* installed_deny_limiter() {
    return g_limiter;
}

void journal_suppressed(const DenyLimiter::Suppressed& s) {
    if (s.count == 0) return;
    AuditEvent ev(AuditKind::deny);
    ev.user(std::to_string(s.uid), s.uid);  // no user database lookup here
    ev.set("JITD_ERROR", "suppressed");
    ev.set("JITD_SUPPRESSED", std::to_string(s.count));
    ev.set("JITD_WINDOW_START", wire::format_iso8601(s.first));
    ev.set("JITD_WINDOW_END", wire::format_iso8601(s.last));
    ev.message(std::to_string(s.count) + " refusals of uid " + std::to_string(s.uid) + " between " +
               wire::format_iso8601(s.first) + " and " + wire::format_iso8601(s.last) +
               " were not journaled one by one (rate limit)");
    ev.commit();
}

}  // namespace jitd::agent
