#include "agent/daemon/notify.hpp"

#include <time.h>

#include <systemd/sd-daemon.h>

namespace jitd::agent {

void notify_ready(const std::string& status) {
    sd_notify(0, ("READY=1\nSTATUS=" + status).c_str());
}

void notify_reloading() {
    // Newer service managers want the monotonic time of the reload (Type=notify-reload).
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ull +
                static_cast<unsigned long long>(ts.tv_nsec) / 1000ull;
    sd_notify(0,
              ("RELOADING=1\nSTATUS=Reloading the policy\nMONOTONIC_USEC=" + std::to_string(usec))
                  .c_str());
}

void notify_stopping() {
    sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
}

}  // namespace jitd::agent
