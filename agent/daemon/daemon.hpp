// The event loop around the Engine: the socket server, signals (SIGHUP reload, SIGTERM/SIGINT
// stop), the expiry timer (CLOCK_MONOTONIC) and the clock-change watch, sd_notify and the
// watchdog.
#pragma once

#include <memory>
#include <optional>

#include "agent/daemon/approval_hook.hpp"
#include "agent/daemon/clock_watch.hpp"
#include "agent/daemon/decision_waiters.hpp"
#include "agent/daemon/deny_limiter.hpp"
#include "agent/daemon/engine.hpp"
#include "agent/daemon/handles.hpp"
#include "agent/daemon/options.hpp"
#include "agent/daemon/remote_intake.hpp"
#include "agent/daemon/server.hpp"
#include "agent/daemon/table_watch.hpp"

namespace jitd::agent {

class Daemon {
  public:
    // `instance_fd`: the claimed "\0jitd/<table>" socket (instance_socket.hpp), if any.
    // `monitor`: the nf_tables event socket, best opened before engine.start() (else here).
    Daemon(const Options& options, Engine& engine, Fd listen_fd, Fd instance_fd = Fd(),
           std::optional<nft::Monitor> monitor = std::nullopt);
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    // Runs until SIGTERM/SIGINT; returns the exit code.
    int run();

  private:
    static int on_stop_signal(sd_event_source* s, const struct signalfd_siginfo* si, void* ud);
    static int on_hup(sd_event_source* s, const struct signalfd_siginfo* si, void* ud);
    static int on_expiry(sd_event_source* s, uint64_t usec, void* ud);
    static int on_deny_summary(sd_event_source* s, uint64_t usec, void* ud);
    static int on_wake(sd_event_source* s, void* ud);
    // Re-times the book if the wall clock moved (always when the kernel says it was set),
    // expires what is due, re-arms the expiry timer.
    void on_clock_change(bool kernel_says_set);

    // Points the expiry timer at the earliest grant end (cheap when nothing changed).
    void arm_expiry();
    std::string status_line() const;

    Engine& engine_;
    DenyLimiter deny_limiter_;
    EventPtr event_;
    std::unique_ptr<DecisionWaiters> waiters_;  // clients of `open --wait`
    std::unique_ptr<ApprovalHooks> hooks_;      // approval.notify commands still running
    std::unique_ptr<Server> server_;
    SourcePtr sigterm_, sigint_, sighup_, expiry_, deny_summary_, wake_;
    std::unique_ptr<ClockWatch> clock_watch_;
    std::unique_ptr<TableWatch> watch_;  // restores table inet jitd when someone changes it
    Fd instance_fd_;
    SourcePtr instance_;
    std::optional<Millis> armed_;           // CLOCK_MONOTONIC
    std::unique_ptr<RemoteIntake> remote_;  // requests from the nflog intake (policy `remote:`)
};

}  // namespace jitd::agent
