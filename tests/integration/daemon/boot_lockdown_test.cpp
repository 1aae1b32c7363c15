// Fail closed across a reboot: a start whose policy does not load, with no table inet jitd in
// the kernel (it went with the reboot), installs a lock-down table from the last policy that
// loaded, or from the default ports when none was saved, journals `lockdown` and exits 1. An
// existing table is left as it is; `jitd --check` never installs anything.
#include <filesystem>
#include <string>

#include "agent/audit_events.hpp"
#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

class BootLockdown : public DaemonTest {
  protected:
    // Protects 22 and 2222 (not a default port); 5985 is left open, unlike the default ports.
    std::string saved_policy() {
        return "ports:\n"
               "  - port: 22\n    protocol: tcp\n    max_duration: 1h\n    allowed_sources: any\n"
               "  - port: 2222\n    protocol: tcp\n    max_duration: 1h\n"
               "    allowed_sources: any\n" +
               users().access_yaml() + "always_allow: [" + TestAddrs::client4b + "/32]\n";
    }
    // A reboot as far as jitd can tell: no daemon, no table; then the policy breaks.
    void reboot_with_broken_policy(DaemonFixture& d) {
        d.stop(SIGTERM);
        run_ok(d.net().server().exec({DaemonFixture::binary(), "--remove-table"}));
        ASSERT_TRUE(d.ruleset().empty());
        d.rewrite_policy(saved_policy() + "portz: typo\n");
    }
    RunResult start_by_hand(DaemonFixture& d) {
        return run(
            d.net().server().exec({DaemonFixture::binary(), "--policy", d.policy_path(), "--socket",
                                   d.socket_path(), "--state-dir", d.state_dir()}));
    }
    static std::string message_id() {
        return std::string(agent::audit_info(agent::AuditKind::lockdown).message_id);
    }
};

TEST_F(BootLockdown, BrokenPolicyLocksDownWithTheLastPolicyThatLoaded) {
    auto& d = start(saved_policy());
    EXPECT_EQ(read_file(d.state_dir() + "/last-good-policy.yaml"), saved_policy())
        << "the policy that loaded is kept";
    ASSERT_TRUE(is_ok(d.request(open_request(22, TestAddrs::client4, "1h"))));
    reboot_with_broken_policy(d);

    auto r = start_by_hand(d);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("lock-down"), std::string::npos) << r.err;
    EXPECT_FALSE(d.ruleset().empty()) << "no lock-down table";
    TcpEchoServer ssh(d.net().server(), 22), alt(d.net().server(), 2222),
        winrm(d.net().server(), 5985);
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22)) << "no grants in a lock-down";
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 2222)) << "the saved policy's port is closed";
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 5985)) << "the saved policy, not the defaults";
    EXPECT_TRUE(tcp_open(TestAddrs::client4b, 22)) << "the saved always_allow is kept";

    auto e = journal_.wait_for({{"JITD_EVENT", "lockdown"}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "MESSAGE_ID"), message_id());
    EXPECT_EQ(journal_field(*e, "JITD_ERROR"), "policy_invalid");
    EXPECT_EQ(journal_field(*e, "JITD_POLICY"), d.policy_path());
    EXPECT_EQ(journal_field(*e, "JITD_LOCKDOWN_FROM"), d.state_dir() + "/last-good-policy.yaml");
    EXPECT_EQ(journal_field(*e, "PRIORITY"), "2") << "LOG_CRIT: loud";
}

TEST_F(BootLockdown, BrokenPolicyWithNoSavedPolicyLocksDownTheDefaultPorts) {
    auto& d = start(saved_policy());
    reboot_with_broken_policy(d);
    std::filesystem::remove_all(d.state_dir());

    auto r = start_by_hand(d);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    TcpEchoServer p22(d.net().server(), 22), p3389(d.net().server(), 3389),
        p5985(d.net().server(), 5985), p5986(d.net().server(), 5986), other(d.net().server(), 2222);
    for (std::uint16_t port : {22, 3389, 5985, 5986})
        EXPECT_FALSE(tcp_open(TestAddrs::client4, port)) << port;
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "no always_allow without a saved policy";
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 2222)) << "ports outside the defaults stay open";
    auto e = journal_.wait_for({{"JITD_EVENT", "lockdown"}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_LOCKDOWN_FROM"), "default");
}

TEST_F(BootLockdown, AnExistingTableIsLeftAsItIs) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    auto g = d.request(open_request(22, TestAddrs::client4, "1h"));
    ASSERT_TRUE(is_ok(g));
    d.stop(SIGTERM);
    d.rewrite_policy(default_policy() + "portz: typo\n");

    auto r = start_by_hand(d);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(d.ruleset().find(g["grant"]["id"].get<std::string>()), std::string::npos)
        << "the grants in the kernel stay";
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22));
}

TEST_F(BootLockdown, CheckOfABrokenPolicyInstallsNothing) {
    auto& d = start(saved_policy());
    reboot_with_broken_policy(d);
    auto r = run(
        d.net().server().exec({DaemonFixture::binary(), "--check", "--policy", d.policy_path()}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(d.ruleset().empty()) << "--check never installs";
}

}  // namespace
}  // namespace jitd::test
