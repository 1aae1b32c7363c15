// Running programs from tests without a shell: posix_spawn, captured output, kill by PID.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace jitd::test {

struct RunResult {
    int exit_code = -1;  // -1 when killed by a signal
    std::string out;
    std::string err;
};

// Runs argv[0] (searched in PATH) to completion, feeding `input` on stdin.
// `env` entries ("NAME=value") are added to the test's environment.
RunResult run(const std::vector<std::string>& argv, std::string_view input = {},
              const std::vector<std::string>& env = {});
// Like run(), but throws std::runtime_error with the output when the exit code is not 0.
std::string run_ok(const std::vector<std::string>& argv, std::string_view input = {});

// A process the test started. The destructor kills it (SIGKILL, by PID) if still running.
class Child {
  public:
    // stdout/stderr go to `log_path` when given, else to the test's own stderr.
    static Child spawn(const std::vector<std::string>& argv,
                       const std::vector<std::string>& env = {}, const std::string& log_path = {});
    Child() = default;
    Child(Child&& o) noexcept;
    Child& operator=(Child&& o) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child();

    pid_t pid() const { return pid_; }
    bool running();
    // Sends `sig` and waits; returns the exit code, or -signal when killed by one.
    int stop(int sig = SIGTERM);
    // Waits for the process to exit by itself, at most `limit`; returns false on time-out.
    bool wait_exit(std::chrono::milliseconds limit, int* status_out = nullptr);

  private:
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
};

// Polls `cond` every few milliseconds until it holds or `limit` passes. Returns its last value.
bool poll_until(const std::function<bool()>& cond,
                std::chrono::milliseconds limit = std::chrono::seconds(10));

// Reads a whole file ("" if it cannot).
std::string read_file(const std::string& path);

// True when the test runs as root; tests needing it GTEST_SKIP() with a reason otherwise.
bool is_root();

}  // namespace jitd::test
