// The jitd program: options, then --check / --remove-table / the daemon.
#pragma once

namespace jitd::agent {

int run_app(int argc, const char* const* argv);

}  // namespace jitd::agent
