// `open --until TIME`: the end of a grant as a person writes it, turned into an instant.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "agent/wire/timefmt.hpp"
#include "config/parse_result.hpp"

namespace jitd::client {

// The local zone's offset from UTC at an instant (tm_gmtoff). A function, so that tests can
// fix the zone.
using UtcOffsetAt = std::function<std::chrono::seconds(wire::SysSeconds)>;

// The offset of the process's zone ($TZ, else /etc/localtime) through localtime_r.
std::chrono::seconds local_utc_offset(wire::SysSeconds t);

using UntilParse = config::ParseResult<wire::SysSeconds>;

// Accepts, and refuses anything else with a sentence saying what it takes:
//   "17:00", "17:00:30"      the next time the local clock shows it after `now` (today, or
//                            tomorrow when already past); a time a DST change skips is refused,
//                            one it repeats is its first occurrence still ahead;
//   "2026-12-02T17:00Z", "2026-12-02T17:00:30+01:00"   an absolute time, Z or ±HH:MM;
//   "+90m", "+1h30m", "+PT2H" a duration from `now`, in the policy's grammar.
// The result is strictly after `now` ("... is in the past" otherwise).
UntilParse parse_until(std::string_view text, wire::SysSeconds now,
                       const UtcOffsetAt& offset_at = local_utc_offset);

// The whole seconds from `now` to `end` that the socket protocol's `duration` carries.
std::chrono::seconds duration_until(wire::SysSeconds end, wire::SysSeconds now);

}  // namespace jitd::client
