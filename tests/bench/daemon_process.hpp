// The jitd under measurement: its temp dir (policy, socket, log), the process (spawned from the
// calling thread, so it runs in that thread's network namespace), readiness polling and the
// /proc figures the benchmark reports (VmRSS, context switches of all its threads).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace jitd::bench {

struct DaemonSetup {
    std::string binary;              // the jitd executable
    unsigned max_grants = 100000;    // limits.max_grants_per_user (the policy's maximum)
    unsigned idle_timeout_s = 3600;  // long: clients keep one connection for a whole phase
    unsigned max_connections_per_uid = 64;
};

class Daemon {
  public:
    explicit Daemon(DaemonSetup setup);  // makes the temp dir and writes the policy
    ~Daemon();                           // SIGKILL (by PID) if running, removes the temp dir
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Spawns jitd and polls {"op":"status"} until it answers with at least `grants` grants.
    // Returns microseconds from spawn to that answer; throws (with the log) on exit/time-out.
    double start(long grants = 0, std::chrono::seconds limit = std::chrono::seconds(120));
    // SIGTERM and wait.
    void stop();
    // kill -9, then start(): microseconds from the kill to the first full status answer.
    double kill9_restart(long grants);

    pid_t pid() const { return child_.pid(); }
    bool running() { return child_.running(); }
    const std::string& socket() const { return socket_; }
    const std::string& dir() const { return dir_; }
    std::string log_tail(std::size_t bytes = 4000) const;

    // One request on a fresh connection (throws on no answer).
    nlohmann::json request(const nlohmann::json& req,
                           std::chrono::milliseconds timeout = std::chrono::seconds(120));

    // VmRSS in KiB.
    long rss_kib() const;
    // Context switches summed over all threads. A voluntary one is a sleep (and a wake-up);
    // an involuntary one is preemption by another task.
    struct Switches {
        long voluntary = 0;
        long involuntary = 0;
        long total() const { return voluntary + involuntary; }
    };
    Switches context_switches() const;

  private:
    std::optional<long> status_grants();

    DaemonSetup setup_;
    std::string dir_, policy_, socket_, log_;
    test::Child child_;
};

// The policy the benchmark runs with: port 22/tcp, any source, at most 3h, admins = root.
std::string bench_policy(unsigned max_grants);

}  // namespace jitd::bench
