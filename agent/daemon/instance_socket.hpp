// One jitd per table per network namespace. The daemon binds the abstract AF_UNIX socket
// "\0jitd/<table>" (abstract names belong to the network namespace, as nftables tables do);
// `jitd --remove-table` and a second jitd connect to it and read the holder's pid
// (SO_PEERCRED) to refuse with a clear message.
#pragma once

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>

#include <systemd/sd-event.h>

#include "agent/daemon/handles.hpp"

namespace jitd::agent {

class InstanceError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Binds and listens; throws InstanceError naming the running jitd's pid when one holds it.
Fd claim_instance(const std::string& table);
// The pid of the jitd holding `table` in this network namespace, if one runs.
std::optional<pid_t> running_instance(const std::string& table);
// sd-event callback for the claimed socket: accepts and closes (the peer only wanted our pid).
int accept_and_close(sd_event_source* s, int fd, uint32_t revents, void* ud);

}  // namespace jitd::agent
