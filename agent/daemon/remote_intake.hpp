// The remote channel on the event loop: the nflog socket of the intake rule (open while the
// policy has `remote:`), every queued datagram per wake-up, and a journal summary of dropped
// datagrams at most once per summary interval (a minute) while they arrive
// (remote_summary.hpp), and once more at the end for what came since the last one.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "agent/daemon/handles.hpp"
#include "agent/daemon/remote_channel.hpp"
#include "agent/wire/timefmt.hpp"
#include "nft/nflog.hpp"

namespace jitd::agent {

class RemoteIntake {
  public:
    // `summary_interval`: 60 s, shorter only for tests (jitd --remote-summary-interval).
    RemoteIntake(sd_event* event, Engine& engine, std::string state_dir,
                 std::chrono::seconds summary_interval = std::chrono::seconds(60));
    ~RemoteIntake();
    RemoteIntake(const RemoteIntake&) = delete;
    RemoteIntake& operator=(const RemoteIntake&) = delete;

    // Follows engine.policy(): keys and replay cache reloaded, the socket opened or closed.
    void configure();
    const RemoteChannel& channel() const { return channel_; }
    // Journals what was counted since the last summary (the daemon's stop does, before its
    // `stop` entry, so that the journal reads in order).
    void summarise();

  private:
    static int on_readable(sd_event_source* s, int fd, uint32_t events, void* ud);
    static int on_summary(sd_event_source* s, uint64_t usec, void* ud);

    sd_event* event_;
    RemoteChannel channel_;
    std::optional<nft::NflogSocket> socket_;
    SourcePtr io_, summary_;
    std::uint64_t summary_usec_;
    wire::SysSeconds window_start_;  // the last summary (or the start): the next one's window
};

}  // namespace jitd::agent
