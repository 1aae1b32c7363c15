// What must hold for ANY kernel element comment (anyone with CAP_NET_ADMIN can write one).
// Shared by the libFuzzer target fuzz_comment and the replay test that runs in every build.
#pragma once

#include <string>
#include <string_view>

namespace jitd::fuzz {

// Feeds `input` to parse_comment and parse_comment_chain_start; an accepted comment must
// format back to text that parses to the same grant, and its chain cannot start after it.
std::string check_comment_input(std::string_view input);

}  // namespace jitd::fuzz
