#include "agent/daemon/daemon.hpp"

#include <signal.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "agent/daemon/instance_socket.hpp"
#include "agent/daemon/notify.hpp"
#include "agent/daemon/policy_summary.hpp"

namespace jitd::agent {
namespace {

constexpr uint64_t kExpiryAccuracyUsec = 50000;
// How often refusals held back by the DenyLimiter are summarised in the journal.
constexpr uint64_t kDenySummaryUsec = uint64_t{10} * 1000000;

void check(int rc, const char* what) {
    if (rc < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(-rc));
}

}  // namespace

Daemon::Daemon(const Options& options, Engine& engine, Fd listen_fd, Fd instance_fd,
               std::optional<nft::Monitor> monitor)
    : engine_(engine), instance_fd_(std::move(instance_fd)) {
    sd_event* e = nullptr;
    check(sd_event_new(&e), "cannot create the event loop");
    event_.reset(e);

    // sd-event takes signals through a signalfd: they must be blocked first.
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0)
        throw std::runtime_error("cannot block signals");
    ::signal(SIGPIPE, SIG_IGN);
    sd_event_source* s = nullptr;
    check(sd_event_add_signal(e, &s, SIGTERM, &Daemon::on_stop_signal, this), "SIGTERM");
    sigterm_.reset(s);
    check(sd_event_add_signal(e, &s, SIGINT, &Daemon::on_stop_signal, this), "SIGINT");
    sigint_.reset(s);
    check(sd_event_add_signal(e, &s, SIGHUP, &Daemon::on_hup, this), "SIGHUP");
    sighup_.reset(s);
    // CLOCK_MONOTONIC, as the kernel's element timeouts (agent/daemon/clocks.hpp).
    check(sd_event_add_time(e, &s, CLOCK_MONOTONIC, UINT64_MAX, kExpiryAccuracyUsec,
                            &Daemon::on_expiry, this),
          "cannot create the expiry timer");
    expiry_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_OFF);
    check(sd_event_add_time_relative(e, &s, CLOCK_MONOTONIC, kDenySummaryUsec, 0,
                                     &Daemon::on_deny_summary, this),
          "cannot create the refusal summary timer");
    deny_summary_.reset(s);
    install_deny_limiter(&deny_limiter_);
    // Wall-clock steps and resumes: told by the kernel, and checked after any wake-up (a
    // suspend shows as a change of CLOCK_BOOTTIME - CLOCK_MONOTONIC).
    clock_watch_ = std::make_unique<ClockWatch>(e, [this] { on_clock_change(true); });
    check(sd_event_add_post(e, &s, &Daemon::on_wake, this), "cannot watch the clocks");
    wake_.reset(s);
    // Pings the watchdog from the loop when WATCHDOG_USEC is set: a stuck loop gets restarted.
    check(sd_event_set_watchdog(e, 1), "cannot set up the watchdog");

    watch_ = std::make_unique<TableWatch>(
        e, engine_, [this] { arm_expiry(); }, monitor ? std::move(*monitor) : nft::Monitor::open());
    if (instance_fd_) {
        check(sd_event_add_io(e, &s, instance_fd_.get(), EPOLLIN, &accept_and_close, nullptr),
              "cannot watch the instance socket");
        instance_.reset(s);
    }

    ServerLimits limits;
    limits.idle_timeout = std::chrono::seconds(options.idle_timeout_s);
    limits.max_age = std::chrono::seconds(options.max_connection_age_s);
    limits.max_connections_per_uid = options.max_connections_per_uid;
    limits.max_connections = options.max_connections;
    waiters_ = std::make_unique<DecisionWaiters>(e);
    engine_.set_on_decided([this](const std::string& id, const nlohmann::json& answer) {
        waiters_->decided(id, answer);
    });
    hooks_ = std::make_unique<ApprovalHooks>(e, std::chrono::seconds(options.notify_timeout_s));
    engine_.set_hook_runner([this](const std::vector<std::string>& argv, const std::string& id,
                                   const std::string& event, const std::string& payload) {
        hooks_->run(argv, id, event, payload);
    });
    server_ =
        std::make_unique<Server>(e, std::move(listen_fd), limits,
                                 Server::BatchHandler([this](std::span<const BatchLine> lines) {
                                     std::vector<BatchAnswer> decided = engine_.handle_batch(lines);
                                     arm_expiry();
                                     std::vector<Server::Answer> answers;
                                     answers.reserve(decided.size());
                                     for (auto& a : decided) {
                                         Server::Handover to;
                                         if (a.waiting)  // open --wait: the answer is pending
                                             to = [this, id = *a.waiting](Fd fd, const Peer& p) {
                                                 waiters_->add(id, std::move(fd), p);
                                             };
                                         answers.push_back({std::move(a.line), std::move(to)});
                                     }
                                     return answers;
                                 }));
    // The reserved connections are for admins by the policy in force (root always).
    server_->set_privileged(
        [this](const Peer& peer) { return role_of(engine_.policy().access, peer) == Role::admin; });
    engine_.set_live_peers([this] { return server_->peers(); });
    remote_ = std::make_unique<RemoteIntake>(
        e, engine_, options.state_dir, std::chrono::seconds(options.remote_summary_interval_s));
    engine_.set_remote_status([this] { return remote_->channel().status(); });
    engine_.set_after_reload([this] {
        remote_->configure();
        arm_expiry();
    });
    arm_expiry();
}

Daemon::~Daemon() {
    engine_.set_remote_status(nullptr);
    engine_.set_after_reload(nullptr);
    remote_.reset();
    engine_.set_live_peers(nullptr);
    server_.reset();
    engine_.set_on_decided(nullptr);
    waiters_.reset();
    engine_.set_hook_runner(nullptr);
    hooks_.reset();
    deny_summary_.reset();
    install_deny_limiter(nullptr);
    try {
        for (const auto& s : deny_limiter_.take_suppressed(DenyLimiter::Clock::now()))
            journal_suppressed(s);
    } catch (const std::exception&) {
        spdlog::error("could not journal the last summary of refusals");
    }
    watch_.reset();
    instance_.reset();
    sigterm_.reset();
    sigint_.reset();
    sighup_.reset();
    expiry_.reset();
    wake_.reset();
    clock_watch_.reset();
}

int Daemon::run() {
    AuditEvent started(AuditKind::start);
    started.set("JITD_POLICY", engine_.policy_path());
    note_policy(started, engine_.policy());
    started.message("jitd " JITD_VERSION " started with policy " + engine_.policy_path() + "; " +
                    std::to_string(engine_.book().size()) + " live grants");
    started.commit();
    notify_ready(status_line());
    spdlog::info("ready: {}", status_line());

    int rc = sd_event_loop(event_.get());

    notify_stopping();
    remote_->summarise();
    AuditEvent stopped(AuditKind::stop);
    stopped.set("JITD_POLICY", engine_.policy_path());
    stopped.message("jitd stopped; " + std::to_string(engine_.book().size()) +
                    " grants stay in the kernel until they expire");
    stopped.commit();
    if (rc < 0) {
        spdlog::error("event loop failed: {}", std::strerror(-rc));
        return 1;
    }
    spdlog::info("stopped");
    return 0;
}

int Daemon::on_stop_signal(sd_event_source*, const struct signalfd_siginfo*, void* ud) {
    auto* self = static_cast<Daemon*>(ud);
    spdlog::info("stopping on signal");
    sd_event_exit(self->event_.get(), 0);
    return 0;
}

int Daemon::on_hup(sd_event_source*, const struct signalfd_siginfo* si, void* ud) {
    auto* self = static_cast<Daemon*>(ud);
    // The journal names whoever sent the signal (systemctl reload: root).
    Peer sender = identify(si->ssi_uid, si->ssi_uid);
    spdlog::info("SIGHUP from {}: reloading {}", sender.user, self->engine_.policy_path());
    try {
        self->engine_.reload(sender.user, sender.uid);
    } catch (const std::exception& e) {  // never unwind into sd-event's C frames
        spdlog::error("reload failed: {}", e.what());
    }
    self->arm_expiry();
    return 0;
}

int Daemon::on_expiry(sd_event_source*, uint64_t, void* ud) {
    auto* self = static_cast<Daemon*>(ud);
    self->armed_.reset();
    // Expiry confirms with the kernel and re-times from it: this is also the path that
    // resynchronises after a wall-clock step nobody announced.
    self->on_clock_change(false);
    return 0;
}

int Daemon::on_deny_summary(sd_event_source* s, uint64_t, void* ud) {
    auto* self = static_cast<Daemon*>(ud);
    try {
        for (const auto& held : self->deny_limiter_.take_suppressed(DenyLimiter::Clock::now()))
            journal_suppressed(held);
    } catch (const std::exception& e) {
        spdlog::error("summarising refusals failed: {}", e.what());
    }
    sd_event_source_set_time_relative(s, kDenySummaryUsec);
    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
    return 0;
}

int Daemon::on_wake(sd_event_source*, void* ud) {
    auto* self = static_cast<Daemon*>(ud);
    self->on_clock_change(false);
    return 0;
}

void Daemon::on_clock_change(bool kernel_says_set) {
    try {
        engine_.check_clocks(kernel_says_set);
        engine_.expire_due();
    } catch (const std::exception& e) {  // never unwind into sd-event's C frames
        spdlog::error("expiry failed: {}", e.what());
    }
    arm_expiry();
}

void Daemon::arm_expiry() {
    auto next = engine_.next_deadline();
    if (next == armed_) return;
    armed_ = next;
    if (!next) {
        sd_event_source_set_enabled(expiry_.get(), SD_EVENT_OFF);
        return;
    }
    auto usec = std::chrono::duration_cast<std::chrono::microseconds>(std::max(*next, Millis(1)));
    sd_event_source_set_time(expiry_.get(), static_cast<uint64_t>(usec.count()));
    sd_event_source_set_enabled(expiry_.get(), SD_EVENT_ONESHOT);
}

std::string Daemon::status_line() const {
    return std::to_string(engine_.book().size()) + " grants; policy " + engine_.policy_path();
}

}  // namespace jitd::agent
