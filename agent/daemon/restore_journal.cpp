#include "agent/daemon/restore_journal.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "agent/daemon/audit.hpp"

namespace jitd::agent {
namespace {

namespace field = audit_fields;

constexpr std::size_t kMaxChanges = 12;  // what one entry lists; the count says the rest

std::string joined(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

void merge_unique(std::vector<std::string>& into, const std::vector<std::string>& from,
                  std::size_t cap) {
    for (const auto& x : from)
        if (into.size() < cap && std::find(into.begin(), into.end(), x) == into.end())
            into.push_back(x);
}

}  // namespace

std::optional<RestoreJournal::Clock::time_point> RestoreJournal::record(RestoreRecord r,
                                                                        Clock::time_point now) {
    ++count_;
    merge_unique(pending_.changed, r.changed, kMaxChanges);
    merge_unique(pending_.changed_by, r.changed_by, kMaxChanges);
    pending_.outcome = r.outcome;
    pending_.error = std::move(r.error);
    if (!last_ || now - *last_ >= kInterval) {
        write(now);
        return std::nullopt;
    }
    return *last_ + kInterval;
}

void RestoreJournal::flush(Clock::time_point now) {
    if (count_ > 0) write(now);
}

void RestoreJournal::write(Clock::time_point now) {
    const RestoreOutcome& o = pending_.outcome;
    const std::string by =
        pending_.changed_by.empty() ? "unknown" : joined(pending_.changed_by, ", ");
    const std::string restored = "table inet jitd with " + std::to_string(o.grants) +
                                 (o.grants == 1 ? " grant (" : " grants (") +
                                 std::to_string(o.elements) + " elements)";
    AuditEvent ev(AuditKind::restore);
    ev.set(field::kChanged, joined(pending_.changed, "; "));
    ev.set(field::kChangedBy, by);
    ev.set(field::kRestoreCount, std::to_string(count_));
    std::string text =
        "table inet jitd was changed by " + by + " (" + joined(pending_.changed, "; ") + ")";
    if (count_ > 1) text += "; " + std::to_string(count_) + " times since the last entry";
    if (pending_.error.empty()) {
        ev.set(field::kRestored, restored);
        ev.set(field::kRestoreUsec, std::to_string(o.took.count()));
        text += "; jitd restored " + restored;
        if (o.expired > 0) text += "; " + std::to_string(o.expired) + " ended grants expired";
    } else {
        ev.set(field::kError, "internal");
        text += "; restoring it failed: " + pending_.error;
    }
    ev.message(text);
    ev.commit();
    spdlog::warn("{}", text);
    last_ = now;
    count_ = 0;
    pending_ = {};
}

}  // namespace jitd::agent
