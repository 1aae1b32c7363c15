#include "agent/daemon/hook_spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace jitd::agent {
namespace {

using wire::Fd;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

std::pair<Fd, Fd> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail("pipe");
    return {Fd(fds[0]), Fd(fds[1])};
}

// After fork: only async-signal-safe calls until execve. Reports why it stopped on `status`.
[[noreturn]] void child_fail(int status, int stage) {
    const HookSetupError e{stage, errno};
    [[maybe_unused]] const ssize_t n = ::write(status, &e, sizeof e);
    ::_exit(127);
}

[[noreturn]] void run_child(char* const* argv, char* const* envp, int in, int status,
                            const HookCredentials& who) {
    // The daemon blocks its stop signals and ignores SIGPIPE; both would survive the exec.
    sigset_t none;
    sigemptyset(&none);
    if (::sigprocmask(SIG_SETMASK, &none, nullptr) != 0) child_fail(status, kStageSetup);
    ::signal(SIGPIPE, SIG_DFL);
    if (::setpgid(0, 0) != 0) child_fail(status, kStageSetup);
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || ::dup2(in, 0) < 0 || ::dup2(null, 1) < 0 || ::dup2(null, 2) < 0)
        child_fail(status, kStageSetup);
    // Every other descriptor (the listening socket, netlink, the journal) closes on exec.
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < 65536; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(status, kStageSetup);
    if (who.switch_user) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0)
            child_fail(status, kStageCredentials);
        if (::getuid() != who.uid || ::geteuid() != who.uid || ::getgid() != who.gid ||
            ::getegid() != who.gid) {
            errno = EPERM;
            child_fail(status, kStageCredentials);
        }
    }
    // jitd's CAP_NET_ADMIN reaches a non-root child through the ambient set: clear it.
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        child_fail(status, kStageCredentials);
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(status, kStageCredentials);
    if (::chdir("/") != 0) child_fail(status, kStageSetup);
    ::execve(argv[0], argv, envp);
    child_fail(status, kStageExec);
}

}  // namespace

HookCredentials hook_credentials() {
    HookCredentials c;
    c.uid = ::geteuid();
    c.gid = ::getegid();
    if (c.uid != 0) {
        const passwd* self = ::getpwuid(c.uid);
        c.user = self != nullptr ? self->pw_name : std::to_string(c.uid);
        return c;
    }
    const passwd* nobody = ::getpwnam("nobody");
    if (nobody == nullptr) throw std::runtime_error("there is no user 'nobody' to run it as");
    c.switch_user = true;
    c.uid = nobody->pw_uid;
    c.gid = nobody->pw_gid;
    c.user = "nobody";
    return c;
}

SpawnedHook spawn_hook(const std::vector<std::string>& argv, const std::string& payload,
                       const HookCredentials& who) {
    if (argv.empty()) throw std::runtime_error("empty command");
    // Everything the child needs is built before fork: it may not allocate afterwards.
    std::vector<std::string> owned_env{"PATH=/usr/local/bin:/usr/bin:/bin"};
    const char* lang = std::getenv("LANG");
    owned_env.push_back(std::string("LANG=") + (lang != nullptr ? lang : "C.UTF-8"));
    std::vector<std::string> owned_args = argv;
    std::vector<char*> args, env;
    for (auto& a : owned_args) args.push_back(a.data());
    args.push_back(nullptr);
    for (auto& e : owned_env) env.push_back(e.data());
    env.push_back(nullptr);
    auto [in_read, in_write] = make_pipe();
    auto [status_read, status_write] = make_pipe();

    const pid_t pid = ::fork();
    if (pid < 0) fail("fork");
    if (pid == 0) run_child(args.data(), env.data(), in_read.get(), status_write.get(), who);
    ::setpgid(pid, pid);  // also here: the time limit may kill the group before the child ran
    SpawnedHook out;
    out.pid = pid;
    out.pidfd = Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!out.pidfd) {
        const int err = errno;
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        errno = err;
        fail("pidfd_open");
    }
    in_read.reset();
    status_write.reset();
    // Not more than PIPE_BUF into an empty pipe: one write, complete, never blocking.
    ::fcntl(in_write.get(), F_SETFL, O_NONBLOCK);
    [[maybe_unused]] const ssize_t n = ::write(in_write.get(), payload.data(), payload.size());
    in_write.reset();
    ::fcntl(status_read.get(), F_SETFL, O_NONBLOCK);
    out.status = std::move(status_read);
    return out;
}

}  // namespace jitd::agent
