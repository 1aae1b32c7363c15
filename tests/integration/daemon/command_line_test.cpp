// The daemon's command line and service manager interface: --check validates and prints
// without touching the kernel, --remove-table uninstalls, sd_notify reports READY, RELOADING
// and STOPPING, and a restart revokes grants the new policy no longer allows.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using std::chrono::milliseconds;

class CommandLine : public DaemonTest {};

// A datagram socket standing in for systemd's NOTIFY_SOCKET; collects what jitd sends.
class NotifyListener {
  public:
    NotifyListener() {
        static std::atomic<int> n{0};
        path_ = "/tmp/jitdt-notify-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        path_.copy(a.sun_path, sizeof a.sun_path - 1);
        ::unlink(path_.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("bind " + path_);
    }
    ~NotifyListener() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    std::string env() const { return "NOTIFY_SOCKET=" + path_; }
    // Polls until a message containing `what` arrived after the previous match.
    bool wait_for(const std::string& what, milliseconds limit = milliseconds(5000)) {
        return poll_until(
            [&] {
                char buf[4096];
                ssize_t n;
                while ((n = ::recv(fd_, buf, sizeof buf, 0)) > 0)
                    seen_.append(buf, static_cast<std::size_t>(n)).push_back('\n');
                auto at = seen_.find(what);
                if (at == std::string::npos) return false;
                seen_.erase(0, at + what.size());
                return true;
            },
            limit);
    }

  private:
    std::string path_;
    int fd_ = -1;
    std::string seen_;
};

TEST_F(CommandLine, NotifiesReadyReloadingStopping) {
    NotifyListener notify;
    DaemonOptions o;
    o.env = {notify.env()};
    auto& d = start(std::nullopt, o);
    EXPECT_TRUE(notify.wait_for("READY=1"));
    d.reload_sighup();
    EXPECT_TRUE(notify.wait_for("RELOADING=1"));
    EXPECT_TRUE(notify.wait_for("READY=1"));
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "reload"}, {"JITD_USER", "root"}}))
        << journal_.dump();
    d.stop(SIGTERM);
    EXPECT_TRUE(notify.wait_for("STOPPING=1"));
}

TEST_F(CommandLine, CheckPrintsTheRulesetAndTouchesNothing) {
    auto& d = start();
    d.stop(SIGTERM);
    run_ok(d.net().server().exec({"nft", "delete", "table", "inet", "jitd"}));
    auto r = run(
        d.net().server().exec({DaemonFixture::binary(), "--check", "--policy", d.policy_path()}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("table inet jitd"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("3389"), std::string::npos) << r.out;
    EXPECT_TRUE(d.ruleset().empty()) << "--check must not install anything";

    d.rewrite_policy("ports:\n  - port: 22\n    max_duration: 0s\n");
    auto bad = run({DaemonFixture::binary(), "--check", "--policy", d.policy_path()});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE((bad.out + bad.err).find("policy.yaml:3:"), std::string::npos) << bad.out << bad.err;
}

// Issue 11, finding 13: a very wide always_allow is valid, but --check says so (and still passes).
TEST_F(CommandLine, CheckWarnsAboutVeryWideAlwaysAllow) {
    const std::string path = "/tmp/jitdt-check-" + std::to_string(::getpid()) + ".yaml";
    struct Remove {
        std::string p;
        ~Remove() { ::unlink(p.c_str()); }
    } remove{path};
    auto check = [&](const std::string& yaml) {
        {
            std::ofstream f(path, std::ios::trunc);
            f << yaml;
        }
        return run({DaemonFixture::binary(), "--check", "--policy", path});
    };
    auto wide = check(
        "always_allow: [0.0.0.0/0, 10.0.0.0/8, 2001:db8::/32, 192.0.2.0/24]\n"
        "limits: {widest_source: {ipv4: 16, ipv6: 48}}\n");
    EXPECT_EQ(wide.exit_code, 0) << wide.err;
    EXPECT_NE(wide.out.find("table inet jitd"), std::string::npos) << wide.out;
    EXPECT_NE(wide.err.find("warning: always_allow: 0.0.0.0/0 lets every IPv4 address"),
              std::string::npos)
        << wide.err;
    EXPECT_NE(wide.err.find("warning: always_allow: 10.0.0.0/8 is wider"), std::string::npos)
        << wide.err;
    EXPECT_NE(wide.err.find("warning: always_allow: 2001:db8::/32 is wider"), std::string::npos)
        << wide.err;
    EXPECT_EQ(wide.err.find("192.0.2.0/24"), std::string::npos) << wide.err;
    EXPECT_EQ(wide.out.find("warning"), std::string::npos) << "warnings go to stderr";

    auto narrow = check("always_allow: [192.0.2.0/24]\n");
    EXPECT_EQ(narrow.exit_code, 0) << narrow.err;
    EXPECT_EQ(narrow.err.find("warning"), std::string::npos) << narrow.err;
}

TEST_F(CommandLine, RemoveTableUninstalls) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    ASSERT_FALSE(tcp_open(TestAddrs::client4, 22));
    d.stop(SIGTERM);
    auto r = run(d.net().server().exec(
        {DaemonFixture::binary(), "--remove-table", "--policy", d.policy_path()}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(d.ruleset().empty());
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22)) << "no table, no protection";
}

// Installing the table never cuts a connection that is already established (DESIGN.md,
// principle 2) -- here on a host whose conntrack already tracks (another ct rule exists).
TEST_F(CommandLine, InstallingKeepsEstablishedConnections) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    d.stop(SIGTERM);
    run_ok(d.net().server().exec({DaemonFixture::binary(), "--remove-table"}));
    run_ok(d.net().server().exec(
        {"nft",
         "add table inet other; add chain inet other c { type filter hook input priority 10; }; "
         "add rule inet other c ct state established counter"}));
    TcpClient kept(d.net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    ASSERT_TRUE(kept.connected());
    d.start();
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "new connections are dropped";
    EXPECT_TRUE(kept.echo("still connected\n"));
}

// The same on a host where nothing used conntrack before jitd: the connection was never
// tracked, conntrack picks it up mid-stream with ct state NEW, e.g. the SSH session of the
// admin installing jitd. The table accepts such bare-ACK pickups before `counter drop`.
TEST_F(CommandLine, InstallingKeepsConnectionsConntrackHadNotSeen) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    d.stop(SIGTERM);
    run_ok(d.net().server().exec({DaemonFixture::binary(), "--remove-table"}));
    TcpClient kept(d.net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    ASSERT_TRUE(kept.connected());
    d.start();
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "new connections are dropped";
    EXPECT_TRUE(kept.echo("still connected\n"));
}

// The packages install the policy 0640 root:jitd: a normal user's --check says it cannot read
// the file, with the path, the reason and what to do, not a parse error.
TEST_F(CommandLine, CheckAsAUserWhoCannotReadThePolicySaysSo) {
    const std::string dir = "/tmp/jitdt-check-" + std::to_string(::getpid());
    run_ok({"mkdir", "-m", "0755", "-p", dir});
    const std::string policy = dir + "/policy.yaml";
    {
        std::ofstream out(policy);
        out << default_policy();
    }
    ::chmod(policy.c_str(), 0640);
    auto r =
        users().run_as(users().stranger, {DaemonFixture::binary(), "--check", "--policy", policy});
    auto as_root = run({DaemonFixture::binary(), "--check", "--policy", policy});
    run({"rm", "-rf", dir});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot read " + policy + ": Permission denied"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("0640, owner root, group jitd"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(as_root.exit_code, 0) << as_root.err;
}

TEST_F(CommandLine, UnknownOptionIsAUsageError) {
    auto r = run({DaemonFixture::binary(), "--frobnicate"});
    EXPECT_EQ(r.exit_code, 64);
}

TEST_F(CommandLine, StartRevokesGrantsThePolicyNoLongerAllows) {
    auto& d = start();
    auto rdp = d.request(open_request(3389, TestAddrs::client4, "10s"), users().requester.id);
    auto ssh = d.request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
    ASSERT_TRUE(is_ok(rdp) && is_ok(ssh));
    d.kill9();
    std::string policy = default_policy();
    auto from = policy.find("  - port: 3389"), to = policy.find("  - port: 5985");
    d.rewrite_policy(policy.substr(0, from) + policy.substr(to));
    d.start();
    EXPECT_EQ(listed_ids(d.request({{"op", "list"}})),
              std::vector<std::string>{ssh["grant"]["id"]});
    auto e = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", rdp["grant"]["id"]}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_CAUSE"), "policy");
    EXPECT_EQ(d.ruleset().find(rdp["grant"]["id"].get<std::string>()), std::string::npos);
}

}  // namespace
}  // namespace jitd::test
