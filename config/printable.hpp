// Internal: user text made safe to quote in an error message (no control bytes, bounded length).
#pragma once

#include <string>
#include <string_view>

namespace jitd::config::detail {

// Control bytes become \xNN (a NUL would cut what() short); text past `max` bytes becomes "...".
std::string printable(std::string_view text, std::size_t max = 64);

}  // namespace jitd::config::detail
