#include "agent/daemon/remote_intake.hpp"

#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "agent/daemon/remote_summary.hpp"

namespace jitd::agent {

RemoteIntake::RemoteIntake(sd_event* event, Engine& engine, std::string state_dir,
                           std::chrono::seconds summary_interval)
    : event_(event),
      channel_(engine, std::move(state_dir)),
      summary_usec_(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(summary_interval).count())),
      window_start_(wire::now_seconds()) {
    sd_event_source* s = nullptr;
    const int rc = sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, summary_usec_, 0,
                                              &RemoteIntake::on_summary, this);
    if (rc < 0)
        throw std::runtime_error(std::string("cannot create the remote summary timer: ") +
                                 std::strerror(-rc));
    summary_.reset(s);
    configure();
}

RemoteIntake::~RemoteIntake() {
    summarise();  // what was counted since the last summary
}

void RemoteIntake::configure() {
    channel_.configure();
    if (!channel_.enabled()) {
        io_.reset();
        socket_.reset();
        return;
    }
    if (socket_) return;  // the group is fixed: a port change needs no new socket
    try {
        socket_.emplace(nft::NflogSocket::open(nft::kRemoteNflogGroup));
    } catch (const std::exception& e) {
        spdlog::error("remote: requests cannot be received: {}", e.what());
        return;
    }
    sd_event_source* s = nullptr;
    const int rc =
        sd_event_add_io(event_, &s, socket_->fd(), EPOLLIN, &RemoteIntake::on_readable, this);
    if (rc < 0) {
        socket_.reset();
        spdlog::error("remote: cannot watch the nflog socket: {}", std::strerror(-rc));
        return;
    }
    io_.reset(s);
}

int RemoteIntake::on_readable(sd_event_source*, int, uint32_t, void* ud) {
    auto* self = static_cast<RemoteIntake*>(ud);
    nft::NflogSink sink{[self](const nft::Datagram& d) {
                            self->channel_.handle(d, RemoteChannel::WallClock::now());
                        },
                        [self](nft::NflogError e) { self->channel_.count(e); }};
    try {  // never unwind into sd-event's C frames
        self->socket_->drain(sink);
    } catch (const std::exception& e) {
        spdlog::error("remote: {}", e.what());
    }
    return 0;
}

int RemoteIntake::on_summary(sd_event_source* s, uint64_t, void* ud) {
    auto* self = static_cast<RemoteIntake*>(ud);
    self->summarise();
    sd_event_source_set_time_relative(s, self->summary_usec_);
    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
    return 0;
}

void RemoteIntake::summarise() {
    const RemoteCounters recent = channel_.take_recent();
    const wire::SysSeconds now = wire::now_seconds();
    if (recent.total() == 0) {
        window_start_ = now;
        return;
    }
    bool written = false;
    try {  // a summary, not an access change: a slow journal never stops the daemon
        written = journal_remote_drops(recent, window_start_, now);
    } catch (const std::exception& e) {
        spdlog::error("remote: cannot journal the summary of dropped datagrams: {}", e.what());
    }
    if (!written) {
        channel_.keep_recent(recent);  // counted again in the next summary, same window
        return;
    }
    window_start_ = now;
}

}  // namespace jitd::agent
