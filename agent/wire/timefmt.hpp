// UTC timestamps as the protocol and the journal carry them: "2026-11-23T14:03:00Z".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace jitd::wire {

using SysSeconds = std::chrono::sys_seconds;

std::string format_iso8601(SysSeconds t);
// Accepts exactly the form format_iso8601 writes.
std::optional<SysSeconds> parse_iso8601(std::string_view s);
SysSeconds now_seconds();

}  // namespace jitd::wire
