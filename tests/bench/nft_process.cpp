#include "tests/bench/nft_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "tests/bench/stats.hpp"
#include "tests/support/process.hpp"

extern char** environ;

namespace jitd::bench {

double nft_add_element(const std::string& addr, const std::string& comment) {
    std::vector<std::string> argv{"nft", "add element inet jitd grant4_host { " + addr +
                                             " . tcp . 22 timeout 1h comment \"" + comment +
                                             "\" }"};
    std::vector<char*> cargs;
    for (auto& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    auto t0 = Clock::now();
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, cargs[0], &fa, nullptr, cargs.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("posix_spawn nft: " + std::string(std::strerror(rc)));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    double us = micros_since(t0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        // Run it again with its output captured, for the message.
        auto r = test::run(argv);
        throw std::runtime_error("nft add element failed: " + r.err);
    }
    return us;
}

}  // namespace jitd::bench
