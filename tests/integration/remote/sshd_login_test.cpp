// The ssh_config recipe end to end: a real sshd behind jitd in the server namespace, the real
// `ssh` in the client namespace whose `Match exec` runs `jit-request open --host --wait`, so the
// first login attempt works; without the recipe the door stays shut.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include "tests/integration/remote/remote_support.hpp"
#include "tests/integration/remote/ssh_support.hpp"

namespace jitd::test {
namespace {

class SshdLogin : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, nftables, test users)";
        if (::access("/usr/sbin/sshd", X_OK) != 0) GTEST_SKIP() << "no sshd (openssh-server)";
        users_ = std::make_unique<TestUsers>();
        keys_dir_ = std::make_unique<KeysDir>();
        ssh_ = std::make_unique<SshKeys>();
    }
    void TearDown() override {
        sshd_.reset();
        daemon_.reset();
        ssh_.reset();
        keys_dir_.reset();
        users_.reset();
    }
    // ssh USER@server true, with `config` as its only configuration.
    RunResult login(const std::string& config) {
        const std::string file = ssh_->dir() + "/ssh_config";
        {
            std::ofstream out(file);
            out << config << "Host *\n  BatchMode yes\n  StrictHostKeyChecking no\n"
                << "  UserKnownHostsFile /dev/null\n  ConnectTimeout 3\n"
                << "  IdentityFile " << ssh_->dir() << "/none\n";
        }
        return run(daemon_->net().client().exec(
            {"env", "SSH_AUTH_SOCK=" + ssh_->agent_socket(), "ssh", "-F", file,
             users_->requester.name + "@" + TestAddrs::server4, "true"}));
    }

    std::unique_ptr<TestUsers> users_;
    std::unique_ptr<KeysDir> keys_dir_;
    std::unique_ptr<SshKeys> ssh_;
    std::unique_ptr<DaemonFixture> daemon_;
    std::unique_ptr<TestSshd> sshd_;
};

TEST_F(SshdLogin, TheMatchExecRecipeOpensTheDoorForTheFirstLogin) {
    const auto key = ssh_->make_key("id_ed25519", "ed25519");
    ssh_->add_to_agent(key);
    {
        std::ofstream out(keys_dir_->path() + "/" + users_->requester.name + ".pub");
        out << ssh_->public_line(key) << "\n";
    }
    daemon_ = std::make_unique<DaemonFixture>(
        "ports:\n  - {port: 22, protocol: tcp, max_duration: 1h}\n" + users_->access_yaml() +
        "remote:\n  keys: " + keys_dir_->path() + "\n  packet_source: true\n");
    sshd_ = std::make_unique<TestSshd>(daemon_->net().server());
    sshd_->authorize(users_->requester.name, ssh_->public_line(key));

    const auto shut = login("");
    EXPECT_NE(shut.exit_code, 0) << shut.err;  // the door is closed: no connection
    EXPECT_TRUE(daemon_->request({{"op", "list"}}).at("grants").empty());

    const auto in = login(std::string("Match host * exec \"") + JIT_REQUEST_BINARY +
                          " open 22 --host %h --from-packet --wait=10s --quiet\"\n");
    ASSERT_EQ(in.exit_code, 0) << in.err << "\n" << sshd_->log() << daemon_->log();
    const auto list = daemon_->request({{"op", "list"}});
    ASSERT_EQ(list.at("grants").size(), 1u) << list.dump();
    EXPECT_EQ(list["grants"][0].value("user", ""), users_->requester.name);
    EXPECT_EQ(list["grants"][0].value("source", ""), std::string(TestAddrs::client4) + "/32");
}

}  // namespace
}  // namespace jitd::test
