#include "agent/daemon/clock_watch.hpp"

#include <sys/timerfd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

namespace jitd::agent {

ClockWatch::ClockWatch(sd_event* event, std::function<void()> on_change)
    : fd_(::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)),
      on_change_(std::move(on_change)) {
    if (!fd_) throw std::runtime_error(std::string("timerfd: ") + std::strerror(errno));
    arm();
    sd_event_source* s = nullptr;
    int rc = sd_event_add_io(event, &s, fd_.get(), EPOLLIN, &ClockWatch::on_io, this);
    if (rc < 0) throw std::runtime_error(std::string("clock watch: ") + std::strerror(-rc));
    source_.reset(s);
}

void ClockWatch::arm() {
    // Never expires by itself (the far future, as the kernel counts it); only a set cancels it.
    itimerspec its{};
    its.it_value.tv_sec = static_cast<time_t>(INT32_MAX) * 4;
    if (::timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, nullptr) <
        0)
        throw std::runtime_error(std::string("timerfd_settime: ") + std::strerror(errno));
}

int ClockWatch::on_io(sd_event_source*, int fd, uint32_t, void* ud) {
    auto* self = static_cast<ClockWatch*>(ud);
    std::uint64_t ticks = 0;
    if (::read(fd, &ticks, sizeof ticks) < 0 && errno == ECANCELED) {
        try {
            self->arm();  // before the callback: a set during it is seen next time
            self->on_change_();
        } catch (const std::exception& e) {  // never unwind into sd-event's C frames
            spdlog::error("after a clock change: {}", e.what());
        }
    }
    return 0;
}

}  // namespace jitd::agent
