// The remote channel on the event loop: the nflog socket of the intake rule (open while the
// policy has `remote:`), every queued datagram per wake-up, and a journal summary of dropped
// datagrams at most once a minute while they arrive.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agent/daemon/handles.hpp"
#include "agent/daemon/remote_channel.hpp"
#include "nft/nflog.hpp"

namespace jitd::agent {

class RemoteIntake {
  public:
    RemoteIntake(sd_event* event, Engine& engine, std::string state_dir);
    ~RemoteIntake();
    RemoteIntake(const RemoteIntake&) = delete;
    RemoteIntake& operator=(const RemoteIntake&) = delete;

    // Follows engine.policy(): keys and replay cache reloaded, the socket opened or closed.
    void configure();
    const RemoteChannel& channel() const { return channel_; }

  private:
    static int on_readable(sd_event_source* s, int fd, uint32_t events, void* ud);
    static int on_summary(sd_event_source* s, uint64_t usec, void* ud);
    void summarise();

    sd_event* event_;
    RemoteChannel channel_;
    std::optional<nft::NflogSocket> socket_;
    SourcePtr io_, summary_;
};

}  // namespace jitd::agent
