// Durations in the policy grammar: 90s, 15m, 3h, 1h30m, 2d, or ISO 8601 (PT3H, PT1H30M, P1D).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "config/parse_result.hpp"

namespace jitd::config {

using DurationParse = ParseResult<std::chrono::seconds>;

// Whole seconds only. Refuses empty text, zero, negative values, overflow and unknown units.
DurationParse parse_duration(std::string_view text);

// The human form: 90s -> "1m30s", 5400s -> "1h30m", 10800s -> "3h", 86400s -> "1d".
std::string format_duration(std::chrono::seconds d);

}  // namespace jitd::config
