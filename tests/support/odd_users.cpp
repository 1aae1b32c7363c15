#include "tests/support/odd_users.hpp"

#include <grp.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUserdb = "/run/userdb";
constexpr std::size_t kUseraddMax = 32;  // shadow-utils' limit on Debian 12

// A uid nobody has: from 30000 up, skipping what NSS knows.
uid_t free_uid() {
    for (uid_t u = 30000 + static_cast<uid_t>(::getpid() % 1000) * 16;; ++u)
        if (run({"getent", "passwd", std::to_string(u)}).exit_code == 2) return u;
}

}  // namespace

OddUsers::OddUsers(std::string primary_group) : group_(std::move(primary_group)) {
    group* g = ::getgrnam(group_.c_str());
    if (g == nullptr) throw std::runtime_error("no such group: " + group_);
    gid_ = g->gr_gid;
}

OddUsers::~OddUsers() {
    for (const auto& u : passwd_users_) run_account_tool_locked({"userdel", "-f", u});
    std::error_code ec;
    for (const auto& f : userdb_files_) fs::remove(f, ec);
}

TestUser OddUsers::add(const std::string& name) {
    const std::string gecos = kTestGecos + std::to_string(::getpid());
    if (name.size() <= kUseraddMax) {
        auto r = run_account_tool_locked({"useradd", "--badname", "-M", "-N", "-g", group_, "-K",
                                          "UID_MIN=20000", "-d", "/nonexistent", "-s",
                                          "/usr/sbin/nologin", "-c", gecos, name});
        if (r.exit_code != 0)
            throw std::runtime_error("useradd --badname refused the name: " + r.err);
        passwd_users_.push_back(name);
        return TestUser{name, identity_of(name)};
    }
    // nss-systemd finds a record by name in NAME.user and by uid in UID.user.
    fs::create_directories(kUserdb);
    const uid_t uid = free_uid();
    nlohmann::json rec{{"userName", name},
                       {"uid", uid},
                       {"gid", gid_},
                       {"realName", gecos},
                       {"disposition", "regular"},
                       {"homeDirectory", "/nonexistent"},
                       {"shell", "/usr/sbin/nologin"}};
    const std::string by_name = std::string(kUserdb) + "/" + name + ".user";
    const std::string by_uid = std::string(kUserdb) + "/" + std::to_string(uid) + ".user";
    for (const auto& path : {by_name, by_uid}) {
        std::ofstream out(path);
        out << rec.dump();
        if (!out) throw std::runtime_error("cannot write " + path);
        userdb_files_.push_back(path);
    }
    if (run({"getent", "passwd", std::to_string(uid)}).out.rfind(name + ":", 0) != 0)
        throw std::runtime_error("nss-systemd does not serve " + by_uid);
    return TestUser{name, identity_of(name)};
}

void OddUsers::sweep_stale() {
    std::error_code ec;
    if (!fs::is_directory(kUserdb, ec)) return;
    for (const auto& entry : fs::directory_iterator(kUserdb, ec)) {
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        auto rec = nlohmann::json::parse(text.str(), nullptr, false);
        if (!rec.is_object() || !rec.contains("realName") || !rec["realName"].is_string()) continue;
        const std::string real = rec["realName"];
        if (real.rfind(kTestGecos, 0) != 0) continue;
        pid_t pid = std::atoi(real.c_str() + std::string(kTestGecos).size());
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove(entry.path(), ec);
    }
}

}  // namespace jitd::test
