// The `restore` journal entries, at most one per kInterval: a restore soon after the last
// entry is counted into a summary that is journaled when the interval has passed, so another
// daemon fighting jitd cannot flood the journal (jitd keeps restoring every time).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/daemon/engine.hpp"

namespace jitd::agent {

struct RestoreRecord {
    std::vector<std::string> changed;     // what was found changed
    std::vector<std::string> changed_by;  // "<pid> <comm>"
    RestoreOutcome outcome;
    std::string error;  // non-empty: the restore failed (the kernel's words)
};

class RestoreJournal {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kInterval{10};

    // Journals `r` now, or adds it to the pending summary; returns when that summary is due.
    std::optional<Clock::time_point> record(RestoreRecord r, Clock::time_point now);
    // Journals the pending summary, if there is one.
    void flush(Clock::time_point now);

  private:
    void write(Clock::time_point now);

    std::optional<Clock::time_point> last_;
    unsigned count_ = 0;
    RestoreRecord pending_;
};

}  // namespace jitd::agent
