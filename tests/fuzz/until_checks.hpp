// What must hold for ANY text given to `jit-request open --until` (parse_until in
// agent/client/until_time.cpp): shared by fuzz_until and the corpus replay test.
#pragma once

#include <string>
#include <string_view>

namespace jitd::fuzz {

// "" when the outcome is sound (no crash; an end strictly after now, or a non-empty error;
// "+D" ends exactly D after now; a clock time within two days), else the problem. Runs in a
// fixed zone that changes its offset (UTC+1 to UTC+2) the day after the fixed "now".
std::string check_until_input(std::string_view input);

}  // namespace jitd::fuzz
