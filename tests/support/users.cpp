#include "tests/support/users.hpp"

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace jitd::test {
namespace {

constexpr int kLockedExit = 10;  // useradd/groupadd: "cannot lock /etc/passwd"

std::string base36(unsigned long v) {
    const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string s;
    do {
        s.insert(s.begin(), digits[v % 36]);
        v /= 36;
    } while (v);
    return s;
}

void run_account_tool(const std::vector<std::string>& argv) {
    auto r = run_account_tool_locked(argv);
    if (r.exit_code != 0) {
        std::string cmd;
        for (const auto& a : argv) cmd += a + " ";
        throw std::runtime_error(cmd + "exited " + std::to_string(r.exit_code) + ": " + r.err);
    }
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
    return s;
}

}  // namespace

RunResult run_account_tool_locked(const std::vector<std::string>& argv) {
    RunResult r;
    poll_until(
        [&] {
            r = run(argv);
            return r.exit_code != kLockedExit;
        },
        std::chrono::seconds(20));
    return r;
}

TestUsers::TestUsers() {
    static std::atomic<unsigned> counter{0};
    tag_ = base36(static_cast<unsigned long>(::getpid())) + base36(counter++);
    const std::string p = "jt" + tag_;
    const std::string gecos = kTestGecos + std::to_string(::getpid());
    groups_ = {p + "adm", p + "req", p + "view"};
    try {
        for (const auto& g : groups_) run_account_tool({"groupadd", "-K", "GID_MIN=20000", g});
        admin = add_user("a", {admin_group()});
        requester = add_user("r", {requester_group()});
        viewer = add_user("v", {viewer_group()});
        stranger = add_user("s", {});
    } catch (...) {
        remove_all();
        throw;
    }
}

TestUser TestUsers::add_user(const std::string& suffix, const std::vector<std::string>& groups) {
    const std::string name = "jt" + tag_ + suffix;
    std::vector<std::string> argv{"useradd",
                                  "-M",
                                  "-U",
                                  "-K",
                                  "UID_MIN=20000",
                                  "-K",
                                  "GID_MIN=20000",
                                  "-d",
                                  "/nonexistent",
                                  "-s",
                                  "/usr/sbin/nologin",
                                  "-c",
                                  kTestGecos + std::to_string(::getpid())};
    if (!groups.empty()) argv.insert(argv.end(), {"-G", join(groups, ",")});
    argv.push_back(name);
    run_account_tool(argv);
    users_.push_back(name);
    return TestUser{name, identity_of(name)};
}

TestUsers::~TestUsers() {
    remove_all();
}

void TestUsers::remove_all() {
    // userdel also removes the user's private group.
    for (const auto& u : users_) run_account_tool_locked({"userdel", "-f", u});
    for (const auto& g : groups_) run_account_tool_locked({"groupdel", g});
    users_.clear();
    groups_.clear();
}

std::string TestUsers::access_yaml() const {
    return "access:\n  admins: {groups: [" + admin_group() + "]}\n  requesters: {groups: [" +
           requester_group() + "]}\n  viewers: {groups: [" + viewer_group() + "]}\n";
}

std::vector<std::string> TestUsers::command_as(const TestUser& u, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"setpriv", "--reuid=" + std::to_string(u.id.uid),
                               "--regid=" + std::to_string(u.id.gid), "--init-groups", "--"});
    return argv;
}

RunResult TestUsers::run_as(const TestUser& u, const std::vector<std::string>& argv,
                            std::string_view input, const std::vector<std::string>& env) {
    return run(command_as(u, argv), input, env);
}

void TestUsers::sweep_stale() {
    std::ifstream passwd("/etc/passwd");
    std::string line;
    std::vector<std::string> stale;
    while (std::getline(passwd, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, ':');) f.push_back(x);
        if (f.size() < 5 || f[0].rfind("jt", 0) != 0 || f[4].rfind(kTestGecos, 0) != 0) continue;
        pid_t pid = std::atoi(f[4].c_str() + std::string(kTestGecos).size());
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) stale.push_back(f[0]);
    }
    for (const auto& u : stale) {
        run_account_tool_locked({"userdel", "-f", u});
        // Role groups share the user's "jt<tag>" prefix; the tag is the name minus its suffix.
        std::string p = u.substr(0, u.size() - 1);
        for (const char* g : {"adm", "req", "view"}) run_account_tool_locked({"groupdel", p + g});
    }
}

}  // namespace jitd::test
