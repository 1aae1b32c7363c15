// The subcommands that talk to jitd: open, list, revoke, extend, status. Each returns the exit
// code and prints refusals as one sentence with the daemon's error code.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "agent/client/arguments.hpp"
#include "agent/client/context.hpp"

namespace jitd::client {

struct OpenArgs {
    PortSpec port;
    std::optional<std::chrono::seconds> duration;  // none: the daemon grants max_duration
    std::string source;                            // address or CIDR, already checked
    std::string reason;
    // open --wait: keep the connection for the decision on a pending answer, this long at most
    // (zero: until the request lapses).
    std::optional<std::chrono::seconds> wait;
};

int open_grant(const DaemonTarget& s, const OpenArgs& req, Io& io);
int list_grants(const DaemonTarget& s, bool json, Io& io);
// `kill`: also end the grant's sessions (false: as the policy's revoke_kills_sessions says).
int revoke_grant(const DaemonTarget& s, const std::string& id, bool kill, Io& io);
int extend_grant(const DaemonTarget& s, const std::string& id, std::chrono::seconds d, Io& io);
int show_status(const DaemonTarget& s, bool json, Io& io);

}  // namespace jitd::client
