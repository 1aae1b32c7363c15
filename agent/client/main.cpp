// jit-request: asks jitd to open a management port for a while; the work is in jitd_client.
#include <exception>
#include <iostream>

#include "agent/client/cli.hpp"
#include "agent/client/display_text.hpp"
#include "agent/client/exit_codes.hpp"

int main(int argc, char** argv) {
    jitd::client::Io io{std::cout, std::cerr, jitd::client::process_getenv};
    int code = jitd::client::kExitSoftware;
    // Whatever escapes a command is a bug, reported as one, never an abort with a core dump.
    try {
        code = jitd::client::run_cli(argc, argv, io);
    } catch (const std::exception& e) {
        std::cout.flush();
        std::cerr << "jit-request: internal error: " << jitd::client::printable(e.what()) << "\n";
    } catch (...) {
        std::cout.flush();
        std::cerr << "jit-request: internal error: unknown exception\n";
    }
    std::cout.flush();
    return code;
}
