// The exit codes of jit-request (sysexits.h) and how a daemon error code maps onto them.
#pragma once

#include <string_view>

namespace jitd::client {

enum ExitCode : int {
    kExitOk = 0,
    kExitRefused = 1,         // the daemon refused by policy (any other error code)
    kExitUsage = 64,          // EX_USAGE: bad command line
    kExitUnavailable = 69,    // EX_UNAVAILABLE: cannot reach the daemon, a bad answer, or
                              // audit_unavailable (the journal cannot record the change)
    kExitSoftware = 70,       // EX_SOFTWARE: an unexpected exception (a bug in jit-request)
    kExitTempFail = 75,       // EX_TEMPFAIL: open --wait ran out before the decision
    kExitNotAuthorized = 77,  // EX_NOPERM: not_authorized, or the journal is unreadable
};

// The exit code for a refusal with daemon error `code` (agent/PROTOCOL.md).
int exit_code_for_error(std::string_view code);

}  // namespace jitd::client
