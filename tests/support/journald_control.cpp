#include "tests/support/journald_control.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tests/support/process.hpp"

extern char** environ;

namespace jitd::test {
namespace {

constexpr const char* kPidFile = "/run/systemd/jitd-test-journald.pid";

// Gone or a zombie (with-journald reaps the first one whenever it gets to it).
bool gone(pid_t pid) {
    if (::kill(pid, 0) != 0) return true;
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto close = stat.rfind(')');
    return close == std::string::npos || (close + 2 < stat.size() && stat[close + 2] == 'Z');
}

bool socket_takes_entries() {
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, "/run/systemd/journal/socket", sizeof sa.sun_path - 1);
    bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

pid_t journald_pid() {
    std::string text = read_file(kPidFile);
    return text.empty() ? -1 : static_cast<pid_t>(std::stol(text));
}

JournaldStalled::JournaldStalled() : pid_(journald_pid()) {
    if (pid_ <= 0 || ::kill(pid_, SIGSTOP) != 0)
        throw std::runtime_error("no private journald to stall (run under with-journald)");
}

JournaldStalled::~JournaldStalled() {
    resume();
}

void JournaldStalled::resume() {
    if (pid_ > 0) ::kill(pid_, SIGCONT);
    pid_ = -1;
}

JournaldStopped::JournaldStopped() {
    const pid_t pid = journald_pid();
    if (pid <= 0 || ::kill(pid, SIGTERM) != 0)
        throw std::runtime_error("no private journald to stop (run under with-journald)");
    stopped_ = true;
    if (!poll_until([&] { return gone(pid); }))
        throw std::runtime_error("the private journald did not stop");
}

JournaldStopped::~JournaldStopped() {
    try {
        restart();
    } catch (const std::exception&) {
        // Later tests of this binary report the missing journal themselves.
    }
}

void JournaldStopped::restart() {
    if (!stopped_) return;
    stopped_ = false;
    std::string path = "/lib/systemd/systemd-journald";
    if (::access(path.c_str(), X_OK) != 0) path = "/usr/lib/systemd/systemd-journald";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd <= 2; ++fd)
        posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    char* argv[] = {path.data(), nullptr};
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, path.c_str(), &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start journald: " + std::string(strerror(rc)));
    // with-journald stops the one the file names when the test binary is done.
    std::ofstream(kPidFile, std::ios::trunc) << pid << "\n";
    if (!poll_until(socket_takes_entries)) throw std::runtime_error("journald did not come back");
}

}  // namespace jitd::test
