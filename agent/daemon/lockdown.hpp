// Fail closed when jitd cannot start: with no table inet jitd in the kernel (after a reboot),
// a policy that does not load would leave every protected port open. Instead a lock-down table
// is installed from the last policy that loaded (its ports closed, its always_allow kept, no
// grants), or from the default ports (22, 3389, 5985, 5986) when none was saved.
#pragma once

#include <string>

namespace jitd::agent {

// Installs the lock-down table if no table exists (an existing one is left as it is) and
// journals a `lockdown` event. `load_error` says why the policy did not load. Returns the exit
// code: always non-zero, jitd did not start.
int lock_down(const std::string& policy_path, const std::string& state_dir,
              const std::string& load_error);

}  // namespace jitd::agent
