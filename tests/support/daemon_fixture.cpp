#include "tests/support/daemon_fixture.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace jitd::test {

std::string DaemonFixture::binary() {
    if (const char* env = std::getenv("JITD_BINARY"); env && *env) return env;
#ifdef JITD_BINARY
    return JITD_BINARY;
#else
    return "jitd";
#endif
}

DaemonFixture::DaemonFixture(const std::string& policy_yaml, DaemonOptions opts)
    : opts_(std::move(opts)) {
    TestNet::sweep_stale();
    net_ = std::make_unique<TestNet>();
    std::string templ = "/tmp/jitdt-d-XXXXXX";
    if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    ::chmod(dir_.c_str(), 0755);
    policy_ = dir_ + "/policy.yaml";
    socket_ = dir_ + "/jitd.sock";
    log_ = dir_ + "/jitd.log";
    rewrite_policy(policy_yaml);
    try {
        start();
    } catch (...) {
        std::filesystem::remove_all(dir_);
        throw;
    }
}

DaemonFixture::~DaemonFixture() {
    // A clean stop first, so that a sanitizer build checks the daemon for leaks at exit;
    // SIGKILL (by Child's destructor) only if it does not stop in time.
    if (child_.running()) {
        ::kill(child_.pid(), SIGTERM);
        child_.wait_exit(std::chrono::seconds(5));
    }
    // In sanitizer builds the daemon reports memory errors, leaks (at exit) and undefined
    // behaviour in its log: any of them fails the test that ran it.
    std::string text = log();
    for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"})
        if (text.find(report) != std::string::npos) ADD_FAILURE() << "jitd: " << report;
    if (::testing::Test::HasFailure()) print_log_tail(100);
    child_ = Child();  // SIGKILL by PID if still running
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void DaemonFixture::print_log_tail(std::size_t lines) const {
    std::string text = log();
    std::size_t pos = text.size(), n = 0;
    while (pos > 0 && n <= lines) pos = text.rfind('\n', pos - 1), ++n;
    if (pos == std::string::npos || n <= lines) pos = 0;
    std::cerr << "---- jitd log (" << log_ << (pos ? ", last lines" : "") << ") ----\n"
              << text.substr(pos) << "---- end of jitd log ----\n";
}

void DaemonFixture::start() {
    if (child_.running()) throw std::logic_error("jitd already running");
    std::vector<std::string> argv{binary(),
                                  "--policy",
                                  policy_,
                                  "--socket",
                                  socket_,
                                  "--state-dir",
                                  state_dir(),
                                  "--idle-timeout",
                                  std::to_string(opts_.idle_timeout_s),
                                  "--max-connections-per-uid",
                                  std::to_string(opts_.max_connections_per_uid)};
    argv.insert(argv.end(), opts_.extra_args.begin(), opts_.extra_args.end());
    { std::ofstream(log_, std::ios::app) << "---- starting jitd (test fixture) ----\n"; }
    child_ = Child::spawn(net_->server().exec(argv), opts_.env, log_);
    bool ok = poll_until([&] { return !child_.running() || answers_status(); }, opts_.ready_limit);
    if (!ok || !child_.running())
        throw std::runtime_error("jitd did not become ready (" +
                                 std::string(child_.running() ? "no answer" : "exited") +
                                 "); its log:\n" + log());
}

bool DaemonFixture::answers_status() {
    auto c = SocketClient::try_connect(socket_);
    if (!c) return false;
    try {
        auto r = c->request({{"op", "status"}}, std::chrono::milliseconds(1000));
        return r.value("ok", false);
    } catch (const std::exception&) {
        return false;
    }
}

int DaemonFixture::stop(int sig) {
    return child_.stop(sig);
}

void DaemonFixture::restart() {
    stop(SIGTERM);
    start();
}

bool DaemonFixture::running() {
    return child_.running();
}

void DaemonFixture::rewrite_policy(const std::string& yaml) {
    // Write-then-rename: a reload never sees half a file.
    std::string tmp = policy_ + ".new";
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << yaml;
        if (!f) throw std::runtime_error("cannot write " + tmp);
    }
    std::filesystem::rename(tmp, policy_);
}

void DaemonFixture::reload_sighup() {
    if (child_.pid() > 0) ::kill(child_.pid(), SIGHUP);
}

nlohmann::json DaemonFixture::request(const nlohmann::json& req) {
    return connect().request(req);
}

nlohmann::json DaemonFixture::request(const nlohmann::json& req, const Identity& who) {
    return connect_as(who).request(req);
}

SocketClient DaemonFixture::connect() {
    return SocketClient::connect(socket_);
}

SocketClient DaemonFixture::connect_as(const Identity& who) {
    return SocketClient::connect_as(socket_, who);
}

std::string DaemonFixture::ruleset() const {
    auto r = run(net_->server().exec({"nft", "list", "table", "inet", "jitd"}));
    return r.exit_code == 0 ? r.out : "";
}

}  // namespace jitd::test
