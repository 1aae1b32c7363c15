// fork/exec of a notify hook (approval_hook.hpp) with everything it must not inherit taken
// away: its own process group, stdin a pipe holding the payload, stdout/stderr /dev/null, no
// other descriptors, an empty environment but PATH and LANG, no capabilities, another user.
#pragma once

#include <sys/types.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "agent/wire/fd.hpp"

namespace jitd::agent {

// Who a hook runs as. As root, jitd switches to `nobody` (setgroups, setgid, setuid; the
// hook does not run when that fails). Not as root (the shipped unit's User=jitd, which may
// not change user), the hook keeps jitd's uid and loses its capabilities.
struct HookCredentials {
    bool switch_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string user;  // for the log
};
// Throws std::runtime_error when jitd runs as root and `nobody` does not exist.
HookCredentials hook_credentials();

struct SpawnedHook {
    pid_t pid = -1;
    wire::Fd pidfd;   // readable when the hook has exited
    wire::Fd status;  // non-blocking; holds a HookSetupError when setup or exec failed
};

// Why the child did not get to run the program (written to the status pipe).
struct HookSetupError {
    int stage = 0;  // kStageSetup, kStageCredentials or kStageExec
    int error = 0;  // errno
};
inline constexpr int kStageSetup = 1;
inline constexpr int kStageCredentials = 2;
inline constexpr int kStageExec = 3;

// Starts the hook; `payload` must fit in one pipe write (kMaxHookPayload). Throws
// std::runtime_error when no process could be started.
SpawnedHook spawn_hook(const std::vector<std::string>& argv, const std::string& payload,
                       const HookCredentials& who);

}  // namespace jitd::agent
