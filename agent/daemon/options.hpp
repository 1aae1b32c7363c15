// The daemon's command line: jitd [--policy FILE] [--socket PATH] [--state-dir DIR] [--check]
// [--remove-table], the connection limits, --remote-summary-interval and --notify-timeout
// (for tests).
#pragma once

#include <optional>
#include <string>

#include "agent/wire/socket_path.hpp"

namespace jitd::agent {

inline constexpr const char* kDefaultPolicyPath = "/etc/jitd/policy.yaml";
using wire::kDefaultSocketPath;
inline constexpr const char* kDefaultStateDir = "/var/lib/jitd";

struct Options {
    std::string policy = kDefaultPolicyPath;
    std::string socket = kDefaultSocketPath;
    std::string state_dir = kDefaultStateDir;  // the last good policy, for a lock-down
    bool check = false;                        // validate, print the ruleset, exit
    bool remove_table = false;                 // delete `table inet jitd`, exit (package purge)
    unsigned idle_timeout_s = 30;
    unsigned max_connection_age_s = 300;
    unsigned max_connections_per_uid = 16;
    unsigned max_connections = 1024;  // all uids together; an eighth kept for root and admins
    unsigned remote_summary_interval_s = 60;  // journal summary of dropped datagrams; tests only
    unsigned notify_timeout_s = 10;           // approval.notify's time limit; tests shorten it
};

struct OptionsParse {
    Options options;
    std::optional<int> exit_code;  // set when the program must exit now (--help, usage error)
};

OptionsParse parse_options(int argc, const char* const* argv);

}  // namespace jitd::agent
