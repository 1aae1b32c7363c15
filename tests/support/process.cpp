#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace jitd::test {
namespace {

struct Pipe {
    int fd[2] = {-1, -1};
    Pipe() {
        if (pipe2(fd, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    }
    ~Pipe() {
        close_end(0);
        close_end(1);
    }
    void close_end(int i) {
        if (fd[i] >= 0) ::close(fd[i]);
        fd[i] = -1;
    }
};

std::vector<std::string> merged_env(const std::vector<std::string>& extra) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        std::string_view kv(*e);
        bool overridden = false;
        for (const auto& x : extra) {
            auto name = x.substr(0, x.find('=') + 1);
            if (kv.substr(0, name.size()) == name) overridden = true;
        }
        if (!overridden) env.emplace_back(kv);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

std::vector<char*> c_array(std::vector<std::string>& v) {
    std::vector<char*> out;
    out.reserve(v.size() + 1);
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1;
}

// Starts argv with its stdin, stdout and stderr on the pipes; the child's ends are closed here.
pid_t spawn_piped(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  Pipe& in, Pipe& out, Pipe& err) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in.fd[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out.fd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err.fd[1], 2);
    auto args = argv;
    auto envs = merged_env(env);
    auto cargs = c_array(args);
    auto cenv = c_array(envs);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, cargs[0], &fa, nullptr, cargs.data(), cenv.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
    in.close_end(0);
    out.close_end(1);
    err.close_end(1);
    return pid;
}

// Reads what is ready of stdout (i 0) or stderr (i 1); closes the pipe at its end.
void read_ready(const pollfd& p, int i, Pipe& out, Pipe& err, RunResult& r) {
    if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) return;
    char buf[65536];
    ssize_t n = ::read(p.fd, buf, sizeof buf);
    if (n > 0) {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
        (i == 0 ? out : err).close_end(0);
    }
}

// Feeds the input and collects stdout and stderr until the child closes both.
void pump(Pipe& in, Pipe& out, Pipe& err, std::string_view input, RunResult& r) {
    std::size_t written = 0;
    if (input.empty()) in.close_end(1);
    fcntl(in.fd[1] >= 0 ? in.fd[1] : 0, F_SETFL, O_NONBLOCK);
    while (out.fd[0] >= 0 || err.fd[0] >= 0) {
        pollfd fds[3] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}, {in.fd[1], POLLOUT, 0}};
        if (::poll(fds, 3, -1) < 0 && errno != EINTR) break;
        read_ready(fds[0], 0, out, err, r);
        read_ready(fds[1], 1, out, err, r);
        if (fds[2].fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = ::write(in.fd[1], input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
            if (written >= input.size()) in.close_end(1);
        }
    }
    in.close_end(1);
}

}  // namespace

RunResult run(const std::vector<std::string>& argv, std::string_view input,
              const std::vector<std::string>& env) {
    Pipe in, out, err;
    const pid_t pid = spawn_piped(argv, env, in, out, err);
    RunResult r;
    pump(in, out, err, input, r);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string run_ok(const std::vector<std::string>& argv, std::string_view input) {
    auto r = run(argv, input);
    if (r.exit_code != 0) {
        std::string cmd;
        for (const auto& a : argv) cmd += a + " ";
        throw std::runtime_error(cmd + "exited " + std::to_string(r.exit_code) + ": " + r.err +
                                 r.out);
    }
    return r.out;
}

Child Child::spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   const std::string& log_path) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (!log_path.empty()) {
        posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                         0644);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    }
    auto args = argv;
    auto envs = merged_env(env);
    auto cargs = c_array(args);
    auto cenv = c_array(envs);
    Child c;
    int rc = posix_spawnp(&c.pid_, cargs[0], &fa, nullptr, cargs.data(), cenv.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    return c;
}

Child::Child(Child&& o) noexcept : pid_(o.pid_), status_(o.status_), reaped_(o.reaped_) {
    o.pid_ = -1;
}

Child& Child::operator=(Child&& o) noexcept {
    if (this != &o) {
        this->~Child();
        pid_ = o.pid_;
        status_ = o.status_;
        reaped_ = o.reaped_;
        o.pid_ = -1;
    }
    return *this;
}

Child::~Child() {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, SIGKILL);
        while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
        }
    }
}

bool Child::running() {
    if (pid_ <= 0 || reaped_) return false;
    pid_t r = waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) reaped_ = true;
    return !reaped_;
}

int Child::stop(int sig) {
    if (pid_ > 0 && !reaped_) {
        ::kill(pid_, sig);
        while (waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
    }
    return decode_status(status_);
}

bool Child::wait_exit(std::chrono::milliseconds limit, int* status_out) {
    bool done = poll_until([&] { return !running(); }, limit);
    if (done && status_out) *status_out = decode_status(status_);
    return done;
}

bool poll_until(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        if (cond()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return cond();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::string read_file(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

bool is_root() {
    return geteuid() == 0;
}

}  // namespace jitd::test
