#include "tests/bench/daemon_process.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/bench/stats.hpp"
#include "tests/support/socket_client.hpp"

namespace jitd::bench {
namespace {

// The value of `key:` in a /proc status file, or -1.
long status_field(const std::string& path, const std::string& key) {
    std::ifstream f(path);
    std::string line;
    while (std::getline(f, line)) {
        if (line.compare(0, key.size(), key) == 0 && line.size() > key.size() &&
            line[key.size()] == ':')
            return std::stol(line.substr(key.size() + 1));
    }
    return -1;
}

}  // namespace

std::string bench_policy(unsigned max_grants) {
    return "ports:\n"
           "  - port: 22\n"
           "    protocol: tcp\n"
           "    max_duration: 3h\n"
           "    allowed_sources: any\n"
           "access:\n"
           "  admins: {users: [root]}\n"
           "limits:\n"
           "  max_grants_per_user: " +
           std::to_string(max_grants) +
           "\n"
           "  widest_source: {ipv4: 8, ipv6: 32}\n";
}

Daemon::Daemon(DaemonSetup setup) : setup_(std::move(setup)) {
    std::string templ = "/tmp/jitd-bench-XXXXXX";
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    policy_ = dir_ + "/policy.yaml";
    socket_ = dir_ + "/jitd.sock";
    log_ = dir_ + "/jitd.log";
    std::ofstream(policy_) << bench_policy(setup_.max_grants);
}

Daemon::~Daemon() {
    child_ = test::Child();  // SIGKILL by PID if still running
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::optional<long> Daemon::status_grants() {
    auto c = test::SocketClient::try_connect(socket_);
    if (!c) return std::nullopt;
    try {
        auto r = c->request({{"op", "status"}}, std::chrono::seconds(60));
        if (!r.value("ok", false)) return std::nullopt;
        return r.value("grants", 0L);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

double Daemon::start(long grants, std::chrono::seconds limit) {
    if (child_.running()) throw std::logic_error("jitd already running");
    std::vector<std::string> argv{setup_.binary,
                                  "--policy",
                                  policy_,
                                  "--socket",
                                  socket_,
                                  "--state-dir",
                                  dir_ + "/state",
                                  "--idle-timeout",
                                  std::to_string(setup_.idle_timeout_s),
                                  "--max-connection-age",  // a phase's connection lives on
                                  std::to_string(setup_.idle_timeout_s),
                                  "--max-connections-per-uid",
                                  std::to_string(setup_.max_connections_per_uid)};
    auto t0 = Clock::now();
    child_ = test::Child::spawn(argv, {}, log_);
    // Readiness is the first status answer that shows every grant rebuilt. The poll interval
    // (0.2 ms) is far below the second the target allows.
    long seen = -1;
    while (Clock::now() - t0 < limit) {
        if (auto g = status_grants()) {
            seen = *g;
            if (seen >= grants) return micros_since(t0);
        }
        if (!child_.running()) break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    throw std::runtime_error("jitd did not become ready with " + std::to_string(grants) +
                             " grants (" +
                             (child_.running() ? "last status showed " + std::to_string(seen)
                                               : std::string("it exited")) +
                             "); log tail:\n" + log_tail());
}

void Daemon::stop() {
    if (child_.running()) child_.stop(SIGTERM);
}

double Daemon::kill9_restart(long grants) {
    auto t0 = Clock::now();
    child_.stop(SIGKILL);
    start(grants);
    return micros_since(t0);
}

std::string Daemon::log_tail(std::size_t bytes) const {
    std::string all = test::read_file(log_);
    return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

nlohmann::json Daemon::request(const nlohmann::json& req, std::chrono::milliseconds timeout) {
    return test::SocketClient::connect(socket_).request(req, timeout);
}

long Daemon::rss_kib() const {
    return status_field("/proc/" + std::to_string(pid()) + "/status", "VmRSS");
}

Daemon::Switches Daemon::context_switches() const {
    std::string task_dir = "/proc/" + std::to_string(pid()) + "/task";
    Switches total;
    DIR* d = ::opendir(task_dir.c_str());
    if (!d) return total;
    while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::string st = task_dir + "/" + e->d_name + "/status";
        total.voluntary += std::max(0L, status_field(st, "voluntary_ctxt_switches"));
        total.involuntary += std::max(0L, status_field(st, "nonvoluntary_ctxt_switches"));
    }
    ::closedir(d);
    return total;
}

}  // namespace jitd::bench
