// Grants made by spawning a program per grant, timed from spawn to exit: what a script does.
#pragma once

#include <string>
#include <vector>

namespace jitd::bench {

// Spawns argv (posix_spawn, no shell, PATH searched) in the calling thread's network namespace
// with `extra_env` added, output discarded, and waits. Returns the wall time in microseconds;
// throws with the program's stderr when it fails.
double timed_run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env);

// `nft add element inet jitd grant4_host { ADDR . tcp . 22 timeout 1h comment "COMMENT" }`:
// what fail2ban- and knockd-style tools do per grant.
double nft_add_element(const std::string& addr, const std::string& comment);

// `jit-request open 22/tcp --from ADDR --for 1h` against the daemon at `socket`.
double jit_request_open(const std::string& binary, const std::string& socket,
                        const std::string& addr);

}  // namespace jitd::bench
