// Stopping, stalling and restarting the private journald of tests/support/with-journald (the
// one whose PID it wrote to /run/systemd/jitd-test-journald.pid, in the test's own mount
// namespace), to see what jitd does when the audit cannot be written. Only meaningful inside
// a test registered with JOURNALD. Both guards undo themselves, also when the test fails.
//
//   { JournaldStalled stall;  ... }   // SIGSTOP now, SIGCONT at the end of the scope
//   { JournaldStopped stop;   ... }   // SIGTERM now (waits until it is gone), a new one after
#pragma once

#include <sys/types.h>

namespace jitd::test {

// The PID of the private journald now running (-1 if unknown).
pid_t journald_pid();

class JournaldStalled {
  public:
    JournaldStalled();
    ~JournaldStalled();
    JournaldStalled(const JournaldStalled&) = delete;
    JournaldStalled& operator=(const JournaldStalled&) = delete;
    void resume();  // SIGCONT now (once)

  private:
    pid_t pid_;
};

class JournaldStopped {
  public:
    JournaldStopped();
    ~JournaldStopped();
    JournaldStopped(const JournaldStopped&) = delete;
    JournaldStopped& operator=(const JournaldStopped&) = delete;
    // Starts a new journald on the same directories and waits until its socket takes
    // entries (once).
    void restart();

  private:
    bool stopped_ = false;
};

}  // namespace jitd::test
