// LD_PRELOAD shim: shifts CLOCK_REALTIME for one process by a number of seconds read from the
// file named by JITD_TEST_CLOCK_SHIFT_FILE (re-read on every call, so a test steps the clock
// by rewriting it). Covers clock_gettime (REALTIME, REALTIME_COARSE; also what libstdc++'s
// system_clock and sd-event's now(CLOCK_REALTIME) call), gettimeofday, time and timespec_get.
// CLOCK_MONOTONIC and CLOCK_BOOTTIME are untouched, as in a real wall-clock step, and so is
// the kernel: a shim cannot fire TFD_TIMER_CANCEL_ON_SET, so jitd must notice the step by
// itself. The host clock is never touched.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>

namespace {

using ClockGettime = int (*)(clockid_t, timespec*);

ClockGettime real_clock_gettime() {
    static ClockGettime fn = reinterpret_cast<ClockGettime>(dlsym(RTLD_NEXT, "clock_gettime"));
    return fn;
}

long shift_seconds() {
    const char* path = std::getenv("JITD_TEST_CLOCK_SHIFT_FILE");
    if (path == nullptr) return 0;
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[32] = {};
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    return std::strtol(buf, nullptr, 10);
}

bool is_realtime(clockid_t id) {
    return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
}

}  // namespace

extern "C" {

int clock_gettime(clockid_t id, timespec* ts) {
    int rc = real_clock_gettime()(id, ts);
    if (rc == 0 && is_realtime(id)) ts->tv_sec += shift_seconds();
    return rc;
}

int gettimeofday(timeval* tv, void*) {
    timespec ts{};
    int rc = clock_gettime(CLOCK_REALTIME, &ts);
    if (rc == 0) {
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
    }
    return rc;
}

time_t time(time_t* out) {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out != nullptr) *out = ts.tv_sec;
    return ts.tv_sec;
}

int timespec_get(timespec* ts, int base) {
    if (base != TIME_UTC || clock_gettime(CLOCK_REALTIME, ts) != 0) return 0;
    return base;
}

}  // extern "C"
