// How jit-request shows times to people: "ends in 42m (14:03 UTC)".
#pragma once

#include <chrono>
#include <string>

#include "agent/wire/timefmt.hpp"

namespace jitd::client {

// A remaining time rounded to what a person needs: seconds under a minute, whole minutes under
// a day, whole hours beyond ("45s", "42m", "1h30m", "2d3h").
std::string approximate_duration(std::chrono::seconds d);

// "14:03 UTC" when `t` falls on the same UTC day as `now`, else "2026-11-24 14:03 UTC".
std::string clock_text(wire::SysSeconds t, wire::SysSeconds now);

// "ends in 42m (14:03 UTC)", or "ended (14:03 UTC)" once `end` has passed.
std::string ends_in_text(wire::SysSeconds end, wire::SysSeconds now);

// "2026-11-23 14:03:05" (UTC), for audit tables.
std::string table_time(wire::SysSeconds t);

}  // namespace jitd::client
