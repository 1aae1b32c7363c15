// The grant object of the protocol (agent/PROTOCOL.md), shared by the daemon and the client.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/wire/timefmt.hpp"
#include "config/policy.hpp"

namespace jitd::wire {

inline constexpr std::size_t kMaxLine = 65536;  // bytes per request line, newline included
inline constexpr std::size_t kMaxReason = 256;  // printable characters

struct Grant {
    std::string id;  // "g-" + 12 lower-case hex digits
    std::string user;
    uid_t uid = 0;
    std::uint16_t port = 0;
    config::Protocol protocol = config::Protocol::tcp;
    std::string source;  // always with its length: "203.0.113.7/32"
    SysSeconds start{};
    SysSeconds end{};
    std::string reason;
};

nlohmann::json to_json(const Grant& g);
// Throws nlohmann::json::exception (or std::invalid_argument) on a malformed object.
Grant grant_from_json(const nlohmann::json& j);

}  // namespace jitd::wire
