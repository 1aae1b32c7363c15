// Phase "idle": the daemon's footprint and wake-ups with nothing to do.
#include <chrono>
#include <thread>

#include "tests/bench/phases.hpp"

namespace jitd::bench {

long idle_wakeups(const Daemon& d, double seconds) {
    // Let the daemon finish whatever the last request started (closing its connection).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const long before = d.context_switches().total();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    return d.context_switches().total() - before;
}

nlohmann::json run_idle(Daemon& d, const BenchConfig& cfg) {
    nlohmann::json out;
    out["start_ready_us"] = d.start(0);
    out["idle_window_s"] = cfg.idle_seconds;
    out["wakeups"] = idle_wakeups(d, cfg.idle_seconds);
    out["rss_kib"] = d.rss_kib();
    return out;
}

}  // namespace jitd::bench
