// A hand-made TCP segment with only ACK set (what conntrack would pick up mid-stream, and what
// a SYN-cookie guess looks like), sent over a raw IPv4 socket inside a namespace, and whether
// the far end answered it (a listener answers any such segment with RST).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "tests/support/netns.hpp"

namespace jitd::test {

// Sends one bare ACK src:sport -> dst:dport from namespace `ns` (IPv4) and waits up to
// `timeout` for a RST from dst:dport back to src:sport. True when it came.
bool bare_ack_answered(const Netns& ns, const std::string& src, std::uint16_t sport,
                       const std::string& dst, std::uint16_t dport,
                       std::chrono::milliseconds timeout = kProbeTimeout);

}  // namespace jitd::test
