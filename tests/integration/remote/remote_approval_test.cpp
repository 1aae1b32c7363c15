// A signed remote open of a port that needs approval, end to end: the real `jit-request open
// --host` in the client namespace prints the request id before any answer (jitd sends none),
// jitd keeps the request pending under that id, another user approves it on the local socket,
// and only then does the door open for a real packet from the client namespace.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <regex>

#include "tests/integration/remote/remote_support.hpp"
#include "tests/integration/remote/ssh_support.hpp"
#include "tests/support/journal.hpp"

namespace jitd::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

class RemoteApproval : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (::geteuid() == 0) users_ = std::make_unique<TestUsers>();
    }
    static void TearDownTestSuite() { users_.reset(); }
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, nftables, test users)";
        keys_dir_ = std::make_unique<KeysDir>();
        ssh_ = std::make_unique<SshKeys>();
    }
    void TearDown() override {
        echo_.reset();
        daemon_.reset();
        ssh_.reset();
        keys_dir_.reset();
    }
    bool door_open() {
        return tcp_connects(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    }

    static std::unique_ptr<TestUsers> users_;
    std::unique_ptr<KeysDir> keys_dir_;
    std::unique_ptr<SshKeys> ssh_;
    std::unique_ptr<DaemonFixture> daemon_;
    std::unique_ptr<TcpEchoServer> echo_;
};
std::unique_ptr<TestUsers> RemoteApproval::users_;

TEST_F(RemoteApproval, ThePrintedIdIsThePendingRequestAndItsApprovalOpensTheDoor) {
    const auto key = ssh_->make_key("ed", "ed25519");
    std::ofstream(keys_dir_->path() + "/" + users_->requester.name + ".pub")
        << ssh_->public_line(key) << "\n";
    ssh_->add_to_agent(key);
    daemon_ = std::make_unique<DaemonFixture>(
        "ports:\n  - port: 22\n    protocol: tcp\n    max_duration: 1h\n    approval:\n"
        "      approvers: {groups: [" +
        users_->viewer_group() + "]}\n      wait: 1h\n" + users_->access_yaml() +
        "remote:\n  keys: " + keys_dir_->path() + "\n");
    echo_ = std::make_unique<TcpEchoServer>(daemon_->net().server(), 22);
    Journal j;
    const auto r = jit_request_open(daemon_->net().client(), *ssh_,
                                    {"22", "--host", TestAddrs::server4, "--from",
                                     TestAddrs::client4, "--for", "10m", "--reason", "deploy"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << daemon_->log();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex("jit-request approve (r-[0-9a-f]{12})")))
        << r.out;
    const std::string id = m[1];

    const auto asked = j.wait_for({{"JITD_EVENT", "request"}, {"JITD_REQUEST_ID", id}}, 10s);
    ASSERT_TRUE(asked) << "the id the client printed is the daemon's\n" << j.dump();
    EXPECT_EQ(journal_field(*asked, "JITD_CHANNEL"), "remote");
    EXPECT_EQ(journal_field(*asked, "JITD_USER"), users_->requester.name);
    EXPECT_FALSE(door_open()) << "pending opens nothing";
    const json list = daemon_->request({{"op", "pending"}}, users_->viewer.id);
    ASSERT_EQ(list.value("pending", json::array()).size(), 1u) << list.dump();
    EXPECT_EQ(list["pending"][0]["id"], id);

    // The requester cannot approve their own, whichever channel it came by.
    const json own = daemon_->request({{"op", "approve"}, {"id", id}}, users_->requester.id);
    EXPECT_EQ(own.value("ok", true), false) << own.dump();
    const json ok = daemon_->request({{"op", "approve"}, {"id", id}}, users_->viewer.id);
    ASSERT_TRUE(ok.value("ok", false)) << ok.dump();
    ASSERT_TRUE(ok.contains("grant")) << ok.dump();
    EXPECT_TRUE(door_open());
    const auto grant = j.wait_for({{"JITD_EVENT", "grant"}, {"JITD_REQUEST_ID", id}}, 10s);
    ASSERT_TRUE(grant) << j.dump();
    EXPECT_EQ(journal_field(*grant, "JITD_CHANNEL"), "remote");
    EXPECT_EQ(journal_field(*grant, "JITD_APPROVERS"), users_->viewer.name);

    // With --wait the client says once that it waits, naming the request (the door is open
    // already, so the wait ends at once).
    const auto w = jit_request_open(daemon_->net().client(), *ssh_,
                                    {"22", "--host", TestAddrs::server4, "--from",
                                     TestAddrs::client4, "--for", "10m", "--wait=1m"});
    ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
    ASSERT_TRUE(std::regex_search(w.out, m, std::regex("jit-request approve (r-[0-9a-f]{12})")))
        << w.out;
    EXPECT_NE(w.err.find("waiting up to 1m for port 22 on " + std::string(TestAddrs::server4) +
                         " to open (request " + std::string(m[1]) + ")"),
              std::string::npos)
        << w.err;
}

}  // namespace
}  // namespace jitd::test
