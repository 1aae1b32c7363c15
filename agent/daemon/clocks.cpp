#include "agent/daemon/clocks.hpp"

#include <time.h>

namespace jitd::agent {
namespace {

Millis read_clock(clockid_t id) {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return std::chrono::duration_cast<Millis>(std::chrono::seconds(ts.tv_sec) +
                                              std::chrono::nanoseconds(ts.tv_nsec));
}

Millis abs(Millis d) {
    return d < Millis(0) ? -d : d;
}

}  // namespace

ClockSample sample_clocks() {
    ClockSample s;
    s.monotonic = read_clock(CLOCK_MONOTONIC);
    s.realtime = SysMillis(read_clock(CLOCK_REALTIME));
    s.boottime = read_clock(CLOCK_BOOTTIME);
    return s;
}

void BookClock::sync(const ClockSample& s) {
    offset_ = s.realtime.time_since_epoch() - s.monotonic;
    sleep_ = s.boottime - s.monotonic;
}

Millis BookClock::wall_step(const ClockSample& s) const {
    return (s.realtime.time_since_epoch() - s.monotonic) - offset_;
}

bool BookClock::out_of_step(const ClockSample& s) const {
    return abs(wall_step(s)) > kTolerance || abs(slept(s)) > kTolerance;
}

}  // namespace jitd::agent
