// jit-request: asks jitd to open a management port for a while; the work is in jitd_client.
#include <iostream>

#include "agent/client/cli.hpp"

int main(int argc, char** argv) {
    jitd::client::Io io{std::cout, std::cerr, jitd::client::process_getenv};
    const int code = jitd::client::run_cli(argc, argv, io);
    std::cout.flush();
    return code;
}
