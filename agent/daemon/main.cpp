// jitd: the daemon. Everything lives in jitd_daemon so the tests link the same code.
#include <malloc.h>

#include "agent/daemon/app.hpp"

int main(int argc, char** argv) {
    // One malloc arena: jitd's threads (the start's dump threads, the NSS resolver) are short
    // helpers, and an arena of their own each kept ~5 MiB of freed memory resident with 100k
    // grants (tests/bench/RESULTS.md, issue 18).
    mallopt(M_ARENA_MAX, 1);
    return jitd::agent::run_app(argc, argv);
}
