// What must hold for ANY buffer handed to nft::parse_events (the nf_tables event parser of
// nft/monitor.cpp): shared by the libFuzzer target fuzz_events and the corpus replay test.
#pragma once

#include <string>
#include <string_view>

namespace jitd::fuzz {

// Parses `input` as a recv() buffer of netlink messages; "" when the outcome is sound (no
// crash, every burst has events, every decoded key prints and parses back), else the problem.
std::string check_events_input(std::string_view input);

}  // namespace jitd::fuzz
