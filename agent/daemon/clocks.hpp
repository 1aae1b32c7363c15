// Which clock jitd's expiry follows. The kernel ends a grant element by jiffies
// (nft_set_elem_expired() compares the element's expiration with get_jiffies_64()), and jiffies
// follow CLOCK_MONOTONIC: in tickless kernels tick_do_update_jiffies64() advances them by the
// CLOCK_MONOTONIC time since the last update, and neither counts a suspend
// (timekeeping_resume() injects the sleep into CLOCK_BOOTTIME and CLOCK_REALTIME only). So
// expiry runs on CLOCK_MONOTONIC, and a step of the wall clock (CLOCK_REALTIME − MONOTONIC
// changes) or a suspend (CLOCK_BOOTTIME − MONOTONIC changes) means the wall-clock times the
// book shows must be taken again from the kernel's remaining times.
#pragma once

#include <chrono>

#include "agent/wire/timefmt.hpp"

namespace jitd::agent {

using Millis = std::chrono::milliseconds;
using SysMillis = std::chrono::sys_time<Millis>;

// The three clocks, read one after the other.
struct ClockSample {
    SysMillis realtime;
    Millis monotonic{0};
    Millis boottime{0};
};
ClockSample sample_clocks();

// The book's wall-clock frame: book time = CLOCK_MONOTONIC + the wall-clock offset taken at the
// last synchronisation, so a wall-clock step moves nothing until the book is re-timed.
class BookClock {
  public:
    // A wall-clock step or a suspend smaller than this is left alone (NTP slews by at most
    // 0.5 ms/s; the book's times are whole seconds anyway).
    static constexpr Millis kTolerance{500};

    explicit BookClock(const ClockSample& s) { sync(s); }
    void sync(const ClockSample& s);

    SysMillis now(const ClockSample& s) const { return SysMillis(s.monotonic + offset_); }
    // The CLOCK_MONOTONIC time at which the book reaches `t`.
    Millis monotonic_at(wire::SysSeconds t) const {
        return std::chrono::duration_cast<Millis>(t.time_since_epoch()) - offset_;
    }
    // How far the wall clock stepped since the last sync, and how long the system slept.
    Millis wall_step(const ClockSample& s) const;
    Millis slept(const ClockSample& s) const { return (s.boottime - s.monotonic) - sleep_; }
    bool out_of_step(const ClockSample& s) const;

  private:
    Millis offset_{0};  // CLOCK_REALTIME − CLOCK_MONOTONIC
    Millis sleep_{0};   // CLOCK_BOOTTIME − CLOCK_MONOTONIC
};

}  // namespace jitd::agent
