#include "tests/bench/bench_netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::bench {
namespace {

constexpr const char* kPrefix = "jitd-bench-";

void enter(int fd, const std::string& what) {
    if (::setns(fd, CLONE_NEWNET) != 0)
        throw std::runtime_error("setns " + what + ": " + std::strerror(errno));
}

}  // namespace

BenchNetns::BenchNetns() : name_(kPrefix + std::to_string(::getpid())) {
    test::sweep_stale_namespaces(kPrefix);
    test::run_ok({"ip", "netns", "add", name_});
    home_fd_ = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = ::open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (home_fd_ < 0 || fd < 0) {
        if (fd >= 0) ::close(fd);
        test::run({"ip", "netns", "del", name_});
        throw std::runtime_error("cannot open the network namespace files");
    }
    try {
        enter(fd, name_);
    } catch (...) {
        ::close(fd);
        test::run({"ip", "netns", "del", name_});
        throw;
    }
    ::close(fd);
    test::run_ok({"ip", "link", "set", "lo", "up"});
}

BenchNetns::~BenchNetns() {
    try {
        enter(home_fd_, "back home");
    } catch (...) {
        // Deleting the name still works from inside; the namespace goes when we exit.
    }
    ::close(home_fd_);
    test::run({"ip", "netns", "del", name_});
}

}  // namespace jitd::bench
