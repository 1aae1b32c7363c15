// A real jitd for one test: its own pair of network namespaces (TestNet), a temp dir holding the
// policy, the socket and the daemon's log, and the built binary started inside the SERVER
// namespace (so its nftables table lives there and the client namespace sends real packets):
//
//   ip netns exec <srv> jitd --policy DIR/policy.yaml --socket DIR/jitd.sock
//                            --state-dir DIR/state --idle-timeout 2 --max-connections-per-uid 8
//
// The constructor returns once the socket answers {"op":"status"} as root (polled); when the
// daemon exits or does not answer in time it throws with the daemon's log. The log is printed
// to stderr when the owning test has failed. The destructor kills the daemon by PID (SIGKILL)
// and removes the temp dir; the namespaces (and the daemon's table with them) go with TestNet.
//
// The binary: env JITD_BINARY if set, else the compile definition JITD_BINARY (the `jitd`
// target), else `jitd` from PATH. A test target using this must add_dependencies(... jitd).
// The temp dir is 0755 so unprivileged test users can reach the socket by path.
//
//   DaemonFixture d(policy_yaml);
//   auto r = d.request({{"op", "open"}, {"port", 22}, {"source", TestAddrs::client4},
//                       {"duration", "2s"}});
//   EXPECT_TRUE(tcp_connects(d.net().client(), TestAddrs::client4, TestAddrs::server4, 22));
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"
#include "tests/support/socket_client.hpp"

namespace jitd::test {

struct DaemonOptions {
    int idle_timeout_s = 2;
    int max_connections_per_uid = 8;
    std::vector<std::string> extra_args;  // appended to the command line
    std::vector<std::string> env;         // "NAME=value" added to the daemon's environment
    std::chrono::milliseconds ready_limit{10000};
};

class DaemonFixture {
  public:
    explicit DaemonFixture(const std::string& policy_yaml, DaemonOptions opts = {});
    ~DaemonFixture();
    DaemonFixture(const DaemonFixture&) = delete;
    DaemonFixture& operator=(const DaemonFixture&) = delete;

    // Path of the binary under test (see the header comment).
    static std::string binary();

    // Starts the daemon (again) and waits until it answers; throws with the log if not.
    void start();
    // Sends `sig` and waits for the exit; returns the exit code or -signal.
    int stop(int sig = SIGTERM);
    void kill9() { stop(SIGKILL); }
    // stop(SIGTERM) then start().
    void restart();
    bool running();
    pid_t pid() const { return child_.pid(); }

    // Replaces the policy file's text (the daemon sees it on reload or restart).
    void rewrite_policy(const std::string& yaml);
    // SIGHUP: the daemon reloads asynchronously; poll for the effect (journal `reload`).
    void reload_sighup();

    // One request on a fresh connection, as root or as `who`.
    nlohmann::json request(const nlohmann::json& req);
    nlohmann::json request(const nlohmann::json& req, const Identity& who);
    SocketClient connect();
    SocketClient connect_as(const Identity& who);

    const std::string& dir() const { return dir_; }
    const std::string& socket_path() const { return socket_; }
    const std::string& policy_path() const { return policy_; }
    const std::string& log_path() const { return log_; }
    // Where the daemon keeps its last good policy (never the host's /var/lib/jitd).
    std::string state_dir() const { return dir_ + "/state"; }
    std::string log() const { return read_file(log_); }
    // The last `lines` lines of the log on stderr (done by the destructor when the test failed).
    void print_log_tail(std::size_t lines) const;
    TestNet& net() { return *net_; }

    // `nft list table inet jitd` in the server namespace ("" if absent).
    std::string ruleset() const;

  private:
    bool answers_status();

    DaemonOptions opts_;
    std::unique_ptr<TestNet> net_;
    std::string dir_, policy_, socket_, log_;
    Child child_;
};

}  // namespace jitd::test
