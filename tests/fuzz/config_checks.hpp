// What must hold for ANY input to the config parsers. Shared by the libFuzzer targets (clang,
// JITD_FUZZ=ON) and the corpus replay test that runs in every build.
#pragma once

#include <string>
#include <string_view>

namespace jitd::fuzz {

// Feeds `input` to parse_policy; returns "" when the outcome is sound (a valid policy, or a
// PolicyError with a real location), otherwise what went wrong.
std::string check_policy_input(std::string_view input);

// Feeds `input` to parse_duration and parse_cidr; an accepted value must print and parse back.
std::string check_scalar_input(std::string_view input);

}  // namespace jitd::fuzz
