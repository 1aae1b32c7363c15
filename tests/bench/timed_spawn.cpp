#include "tests/bench/timed_spawn.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tests/bench/stats.hpp"
#include "tests/support/process.hpp"

extern char** environ;

namespace jitd::bench {

double timed_run(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
    std::vector<std::string> args = argv, env = extra_env;
    std::vector<char*> cargs, cenv;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    for (char** e = environ; *e != nullptr; ++e) cenv.push_back(*e);
    for (auto& e : env) cenv.push_back(e.data());
    cenv.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    auto t0 = Clock::now();
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, cargs[0], &fa, nullptr, cargs.data(), cenv.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("posix_spawn " + argv[0] + ": " + std::strerror(rc));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const double us = micros_since(t0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        // Once more with the output captured, for the message (the grant is new each time,
        // so this run may well fail for a reason of its own; both are reported).
        auto r = test::run(argv, {}, extra_env);
        throw std::runtime_error(argv[0] + " failed (status " + std::to_string(status) +
                                 "); again: exit " + std::to_string(r.exit_code) + ": " + r.err +
                                 r.out);
    }
    return us;
}

double nft_add_element(const std::string& addr, const std::string& comment) {
    return timed_run({"nft", "add element inet jitd grant4_host { " + addr +
                                 " . tcp . 22 timeout 1h comment \"" + comment + "\" }"},
                     {});
}

double jit_request_open(const std::string& binary, const std::string& socket,
                        const std::string& addr) {
    return timed_run({binary, "open", "22/tcp", "--from", addr, "--for", "1h"},
                     {"JITD_SOCKET=" + socket});
}

}  // namespace jitd::bench
