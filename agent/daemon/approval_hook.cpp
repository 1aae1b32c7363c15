#include "agent/daemon/approval_hook.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "agent/audit_fields.hpp"
#include "agent/daemon/audit.hpp"
#include "agent/daemon/hook_spawn.hpp"

namespace jitd::agent {
namespace {

namespace field = audit_fields;

// The hook's failure, journaled: the request, the command and what went wrong.
void journal_failure(const std::string& id, const std::string& event, const std::string& program,
                     const char* failure, const std::string& what) {
    AuditEvent ev(AuditKind::notify);
    ev.set(field::kRequestId, id)
        .set(field::kNotifyEvent, event)
        .set(field::kNotifyFailure, failure)
        .set_client(field::kNotifyCommand, program)
        .message("approval.notify for " + id + " (" + event + "): " + what);
    if (!ev.commit()) spdlog::warn("approval.notify for {} ({}): {}", id, event, what);
}

std::string describe_setup(const HookSetupError& e, const std::string& user) {
    const std::string err = std::strerror(e.error);
    switch (e.stage) {
        case kStageCredentials:
            return "cannot become " + user + " (" + err + "); not run";
        case kStageExec:
            return "cannot run the program: " + err;
        default:
            return "cannot set up the process: " + err;
    }
}

}  // namespace

ApprovalHooks::ApprovalHooks(sd_event* e, std::chrono::seconds limit) : event_(e), limit_(limit) {}

ApprovalHooks::~ApprovalHooks() {
    for (auto& [pid, h] : running_) {
        ::kill(-pid, SIGKILL);
        siginfo_t info{};
        while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED) < 0 && errno == EINTR) {
        }
    }
}

void ApprovalHooks::run(const std::vector<std::string>& argv, const std::string& id,
                        const std::string& event, const std::string& payload) {
    const std::string program = argv.empty() ? std::string() : argv.front();
    if (running_.size() >= kMaxRunningHooks) {
        journal_failure(id, event, program, "skipped",
                        "skipped: " + std::to_string(running_.size()) + " hooks still running");
        return;
    }
    auto h = std::make_unique<Hook>();
    h->id = id;
    h->event = event;
    h->program = program;
    try {
        const HookCredentials who = hook_credentials();
        h->user = who.user;
        SpawnedHook s = spawn_hook(argv, payload, who);
        h->pid = s.pid;
        h->pidfd = std::move(s.pidfd);
        h->status = std::move(s.status);
    } catch (const std::exception& e) {
        journal_failure(id, event, program, "spawn", std::string("cannot start: ") + e.what());
        return;
    }
    Hook* raw = h.get();
    // Whatever happens below, the child is in running_ and its group dies with the limit.
    running_.emplace(raw->pid, std::move(h));
    sd_event_source* s = nullptr;
    int rc = sd_event_add_io(event_, &s, raw->pidfd.get(), EPOLLIN, &ApprovalHooks::on_exit, this);
    if (rc >= 0) {
        raw->exited.reset(s);
        const auto usec = std::chrono::duration_cast<std::chrono::microseconds>(limit_).count();
        rc = sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, static_cast<uint64_t>(usec), 0,
                                        &ApprovalHooks::on_limit, raw);
        if (rc >= 0) raw->timer.reset(s);
    }
    if (rc < 0) {  // not watched: it may not run unwatched
        ::kill(-raw->pid, SIGKILL);
        raw->timed_out = true;
        finish(*raw);
        return;
    }
    spdlog::debug("approval.notify for {} ({}): started {} as {}", id, event, program, raw->user);
}

int ApprovalHooks::on_exit(sd_event_source* s, int, uint32_t, void* ud) {
    auto* self = static_cast<ApprovalHooks*>(ud);
    for (auto& [pid, h] : self->running_) {
        if (h->exited.get() != s) continue;
        self->finish(*h);
        break;
    }
    return 0;
}

int ApprovalHooks::on_limit(sd_event_source*, uint64_t, void* ud) {
    auto* h = static_cast<Hook*>(ud);
    h->timed_out = true;
    ::kill(-h->pid, SIGKILL);  // the whole group: what the hook started dies with it
    return 0;                  // on_exit reaps it
}

void ApprovalHooks::finish(Hook& h) {
    // The leader is a zombie until reaped, so its group id is still ours: end what it left.
    ::kill(-h.pid, SIGKILL);
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(h.pid), &info, WEXITED) < 0 && errno == EINTR) {
    }
    HookSetupError setup{};
    const bool setup_failed =
        ::read(h.status.get(), &setup, sizeof setup) == static_cast<ssize_t>(sizeof setup);
    const std::string limit = std::to_string(limit_.count()) + " s";
    if (setup_failed) {
        journal_failure(h.id, h.event, h.program,
                        setup.stage == kStageExec          ? "exec"
                        : setup.stage == kStageCredentials ? "credentials"
                                                           : "setup",
                        describe_setup(setup, h.user));
    } else if (h.timed_out) {
        journal_failure(h.id, h.event, h.program, "timeout",
                        "still running after " + limit + "; killed with its process group");
    } else if (info.si_code == CLD_EXITED && info.si_status != 0) {
        journal_failure(h.id, h.event, h.program, "exit",
                        "exited with status " + std::to_string(info.si_status));
    } else if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED) {
        const char* name = ::sigabbrev_np(info.si_status);
        journal_failure(h.id, h.event, h.program, "signal",
                        "killed by signal " + (name != nullptr ? "SIG" + std::string(name)
                                                               : std::to_string(info.si_status)));
    } else {
        spdlog::debug("approval.notify for {} ({}): done", h.id, h.event);
    }
    running_.erase(h.pid);  // destroys h: nothing may touch it after this
}

}  // namespace jitd::agent
