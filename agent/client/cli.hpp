// jit-request's command line (CLI11): parses, checks what can be checked locally, and runs
// the subcommand. Returns the exit code (exit_codes.hpp).
#pragma once

#include "agent/client/context.hpp"

namespace jitd::client {

int run_cli(int argc, const char* const* argv, Io& io);

}  // namespace jitd::client
