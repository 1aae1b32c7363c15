// A token bucket per uid for refusal (deny) entries, so that one local account cannot flood the
// journal with refusals and rotate the audit trail away (issue 11, finding 2). What it holds back
// is counted and journaled as one summary entry per uid (JITD_SUPPRESSED). Only refusals pass
// through it: grants, revokes, extends, supersedes, expiries and reloads are never suppressed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "agent/wire/timefmt.hpp"

namespace jitd::agent {

class DenyLimiter {
  public:
    using Clock = std::chrono::steady_clock;

    // Each uid may have `burst` refusals journaled at once, then one more per `refill`.
    explicit DenyLimiter(unsigned burst = 20, Clock::duration refill = std::chrono::seconds(1));

    struct Suppressed {
        uid_t uid = 0;
        std::uint64_t count = 0;
        wire::SysSeconds first{}, last{};  // wall-clock times of the first and last held back
    };

    // True when a refusal of `uid` may be journaled now; false when it is held back (counted).
    bool admit(uid_t uid, Clock::time_point now, wire::SysSeconds wall);
    // What was held back since the last call, one entry per uid, and forgets it. Buckets that
    // are full again are dropped, so the map holds only uids that refused recently.
    std::vector<Suppressed> take_suppressed(Clock::time_point now);
    // What uid has held back since the last take (count 0 when nothing); forgets it.
    Suppressed take_suppressed(uid_t uid);

  private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point updated{};
        Suppressed held;
    };
    void refill(Bucket& b, Clock::time_point now) const;

    double burst_;
    Clock::duration refill_;
    std::unordered_map<uid_t, Bucket> buckets_;
};

// The limiter AuditEvent consults for refusals; nullptr (the default) journals every refusal.
void install_deny_limiter(DenyLimiter* limiter);
DenyLimiter* installed_deny_limiter();

// Journals one summary entry (JITD_EVENT=deny, JITD_ERROR=suppressed, JITD_SUPPRESSED=count).
void journal_suppressed(const DenyLimiter::Suppressed& s);

}  // namespace jitd::agent
