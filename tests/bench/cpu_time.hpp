// CPU time of processes, to show where a phase's time goes (jitd, journald, the clients).
#pragma once

#include <sys/types.h>

namespace jitd::bench {

// User + system CPU seconds a process has used so far (all threads); -1 if it is gone.
double cpu_seconds(pid_t pid);
// Machine-wide CPU seconds (all cores) spent idle and stolen by the hypervisor, from /proc/stat.
struct MachineCpu {
    double idle = 0;
    double steal = 0;
};
MachineCpu machine_cpu();
// The systemd-journald sharing our mount namespace (with-journald's), or -1.
pid_t private_journald();

}  // namespace jitd::bench
