#include "agent/daemon/table_watch.hpp"

#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace jitd::agent {
namespace {

constexpr std::chrono::milliseconds kRetry{200};

void check(int rc, const char* what) {
    if (rc < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(-rc));
}

}  // namespace

TableWatch::TableWatch(sd_event* e, Engine& engine, std::function<void()> after_restore,
                       nft::Monitor monitor)
    : engine_(engine), after_restore_(std::move(after_restore)), monitor_(std::move(monitor)) {
    sd_event_source* s = nullptr;
    check(sd_event_add_io(e, &s, monitor_.fd(), EPOLLIN, &TableWatch::on_events, this),
          "cannot watch nf_tables events");
    io_.reset(s);
    // Before any client request of the same loop turn: a request must not find the table gone.
    sd_event_source_set_priority(s, SD_EVENT_PRIORITY_IMPORTANT);
    check(sd_event_add_time(e, &s, CLOCK_MONOTONIC, UINT64_MAX, 1000, &TableWatch::on_timer, this),
          "cannot create the restore timer");
    timer_.reset(s);
    sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

TableWatch::~TableWatch() {
    io_.reset();
    timer_.reset();
    try {
        journal_.flush(RestoreJournal::Clock::now());
    } catch (...) {
        spdlog::error("could not journal the last restores");
    }
}

int TableWatch::on_events(sd_event_source*, int, uint32_t, void* ud) {
    auto* self = static_cast<TableWatch*>(ud);
    try {
        self->handle(self->monitor_.read());
    } catch (const std::exception& e) {  // never unwind into sd-event's C frames
        spdlog::error("nf_tables events: {}", e.what());
    }
    return 0;
}

void TableWatch::handle(const nft::EventRead& read) {
    const auto now = wire::now_seconds();
    const GrantBook& book = engine_.book();
    ForeignChanges changes =
        foreign_changes(read, engine_.session_portid(), getpid(), [&](const nft::ElementKey& k) {
            const LiveGrant* g = book.find_by_key(k);
            return g != nullptr && g->grant.end > now;
        });
    if (read.overflow) {
        // Events were lost: what the kernel holds decides, not what we happened to read.
        spdlog::warn("nf_tables events were lost (ENOBUFS); comparing the kernel's table");
        auto diffs = engine_.kernel_differences();
        if (!diffs.empty()) {
            changes.changed.insert(changes.changed.end(), diffs.begin(), diffs.end());
            changes.changed_by.push_back("unknown (events were lost)");
        }
    }
    if (changes.empty()) return;
    restore(std::move(changes));
}

void TableWatch::restore(ForeignChanges changes) {
    RestoreRecord rec;
    rec.changed = changes.changed;
    rec.changed_by = changes.changed_by;
    try {
        rec.outcome = engine_.restore_table();
        retry_.reset();
        spdlog::info("restored table inet jitd: {} grants, {} elements in {} us",
                     rec.outcome.grants, rec.outcome.elements, rec.outcome.took.count());
    } catch (const std::exception& e) {
        rec.error = e.what();
        spdlog::error("restoring table inet jitd failed: {}", e.what());
        retry_ = std::move(changes);
    }
    if (after_restore_) after_restore_();
    const auto now = RestoreJournal::Clock::now();
    auto due = journal_.record(std::move(rec), now);
    if (retry_)
        arm(now + kRetry);
    else if (due)
        arm(*due);
}

void TableWatch::arm(std::chrono::steady_clock::time_point when) {
    uint64_t current = 0;
    int enabled = SD_EVENT_OFF;
    sd_event_source_get_enabled(timer_.get(), &enabled);
    const auto usec = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count());
    if (enabled != SD_EVENT_OFF && sd_event_source_get_time(timer_.get(), &current) >= 0 &&
        current <= usec)
        return;  // already due earlier
    sd_event_source_set_time(timer_.get(), usec);
    sd_event_source_set_enabled(timer_.get(), SD_EVENT_ONESHOT);
}

int TableWatch::on_timer(sd_event_source*, uint64_t, void* ud) {
    auto* self = static_cast<TableWatch*>(ud);
    try {
        if (self->retry_) {
            self->restore(*self->retry_);
            return 0;
        }
        self->journal_.flush(RestoreJournal::Clock::now());
    } catch (const std::exception& e) {
        spdlog::error("restore timer: {}", e.what());
    }
    return 0;
}

}  // namespace jitd::agent
