// Runs a port's `approval.notify` command (docs/APPROVALS.md "The notify hook"): fork/exec of
// the argv, no shell, as an unprivileged user, the request as one JSON object on stdin, in its
// own process group, killed with the group at the time limit. Never blocks the event loop:
// the child's exit comes through a pidfd watched by sd-event. Failures are journaled
// (JITD_EVENT=notify); a run that goes well leaves only a debug line.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "agent/daemon/handles.hpp"

namespace jitd::agent {

// More than this at once is a hook that hangs each time: the next ones are skipped.
inline constexpr std::size_t kMaxRunningHooks = 8;
inline constexpr std::chrono::seconds kDefaultHookLimit{10};

class ApprovalHooks {
  public:
    ApprovalHooks(sd_event* e, std::chrono::seconds limit);
    // Kills every hook still running (its group) and reaps it.
    ~ApprovalHooks();
    ApprovalHooks(const ApprovalHooks&) = delete;
    ApprovalHooks& operator=(const ApprovalHooks&) = delete;

    // Starts `argv` with `payload` (at most kMaxHookPayload bytes) on its stdin, about request
    // `id` and `event` (for the journal). Returns at once; a hook that cannot start is
    // journaled here.
    void run(const std::vector<std::string>& argv, const std::string& id, const std::string& event,
             const std::string& payload);
    std::size_t running() const { return running_.size(); }

  private:
    struct Hook {
        pid_t pid = -1;
        Fd pidfd;
        Fd status;  // the child's exec error, if any (closed on exec)
        SourcePtr exited, timer;
        std::string id, event, program, user;
        bool timed_out = false;
    };
    static int on_exit(sd_event_source* s, int fd, uint32_t revents, void* ud);
    static int on_limit(sd_event_source* s, uint64_t usec, void* ud);
    void finish(Hook& h);

    sd_event* event_;
    std::chrono::seconds limit_;
    std::map<pid_t, std::unique_ptr<Hook>> running_;
};

// The largest payload: it fits in the pipe in one write that cannot block (PIPE_BUF).
inline constexpr std::size_t kMaxHookPayload = 4096;

}  // namespace jitd::agent
