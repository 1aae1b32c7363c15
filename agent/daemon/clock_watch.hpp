// Tells the event loop when the wall clock was set or the system resumed from suspend: a
// CLOCK_REALTIME timerfd armed far in the future with TFD_TIMER_CANCEL_ON_SET, whose read
// fails with ECANCELED when the clock is set (settimeofday, clock_settime, NTP steps) and on
// resume (the kernel's timerfd_resume() treats a resume as a clock set).
#pragma once

#include <functional>

#include "agent/daemon/handles.hpp"

namespace jitd::agent {

class ClockWatch {
  public:
    ClockWatch(sd_event* event, std::function<void()> on_change);
    ClockWatch(const ClockWatch&) = delete;
    ClockWatch& operator=(const ClockWatch&) = delete;

  private:
    static int on_io(sd_event_source* s, int fd, uint32_t revents, void* ud);
    void arm();

    Fd fd_;
    SourcePtr source_;
    std::function<void()> on_change_;
};

}  // namespace jitd::agent
