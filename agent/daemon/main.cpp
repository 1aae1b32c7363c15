// jitd: the daemon. Everything lives in jitd_daemon so the tests link the same code.
#include "agent/daemon/app.hpp"

int main(int argc, char** argv) {
    return jitd::agent::run_app(argc, argv);
}
