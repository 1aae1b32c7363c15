// What a jit-request command needs from the outside world; tests substitute their own.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "agent/wire/socket_path.hpp"
#include "agent/wire/timefmt.hpp"

namespace jitd::client {

struct Io {
    std::ostream& out;
    std::ostream& err;
    // Looks up an environment variable.
    std::function<std::optional<std::string>(const char*)> getenv;
    std::function<wire::SysSeconds()> now = wire::now_seconds;
};

// The process's own environment.
std::optional<std::string> process_getenv(const char* name);

// Which jitd to ask, and how long to wait for it.
struct DaemonTarget {
    std::string socket = wire::kDefaultSocketPath;
    std::chrono::milliseconds timeout{10000};
};

}  // namespace jitd::client
