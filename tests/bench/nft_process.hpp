// What a fail2ban- or knockd-style script does per grant: one `nft add element` process.
#pragma once

#include <cstdint>
#include <string>

namespace jitd::bench {

// Spawns (posix_spawn, no shell) `nft add element inet jitd grant4_host { ADDR . tcp . 22
// timeout 1h comment "COMMENT" }` in the calling thread's network namespace and waits for it.
// Returns the wall time in microseconds; throws with nft's message when it fails.
double nft_add_element(const std::string& addr, const std::string& comment);

}  // namespace jitd::bench
