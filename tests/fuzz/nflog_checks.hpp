// What must hold for ANY buffer handed to nft::parse_nflog_buffer (the nflog message and
// IP/UDP parser of nft/nflog_packet.cpp): shared by fuzz_nflog and the corpus replay test.
#pragma once

#include <string>
#include <string_view>

namespace jitd::fuzz {

// "" when the outcome is sound (no crash, every datagram's payload lies within the input and
// its source prints as an address), else the problem.
std::string check_nflog_input(std::string_view input);

}  // namespace jitd::fuzz
