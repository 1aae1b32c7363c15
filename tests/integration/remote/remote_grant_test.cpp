// Remote requests that open a door: the stock fwknop client in the client namespace, jitd's
// nflog intake in the server namespace, the grant journaled with the remote fields, and the
// door closed again when the grant ends. Also: the intake rule exists only with `remote:`, the
// port never answers, and jitd holds no UDP socket for it.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "agent/wire/timefmt.hpp"
#include "tests/integration/remote/remote_support.hpp"
#include "tests/support/journal.hpp"

namespace jitd::test {
namespace {

using namespace std::chrono_literals;

std::string policy_for(const TestUsers& users, const std::string& keys, const std::string& more) {
    return "ports:\n"
           "  - {port: 22, protocol: tcp, max_duration: 1h}\n"
           "  - {port: 2222, protocol: tcp, max_duration: 1h}\n" +
           users.access_yaml() + "remote:\n  keys: " + keys + "\n" + more;
}

class RemoteGrant : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (::geteuid() == 0) users_ = std::make_unique<TestUsers>();
    }
    static void TearDownTestSuite() { users_.reset(); }
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, nftables, test users)";
        keys_ = std::make_unique<KeysDir>();
        requester_keys_ = keys_->add_with_jit_request(users_->requester.name);
    }
    void start(const std::string& more = "") {
        daemon_ = std::make_unique<DaemonFixture>(policy_for(*users_, keys_->path(), more));
        echo22_ = std::make_unique<TcpEchoServer>(daemon_->net().server(), 22);
        echo2222_ = std::make_unique<TcpEchoServer>(daemon_->net().server(), 2222);
    }
    void TearDown() override {
        echo22_.reset();
        echo2222_.reset();
        daemon_.reset();
        keys_.reset();
    }
    bool door_open(std::uint16_t port = 22) {
        return tcp_connects(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4, port);
    }

    static std::unique_ptr<TestUsers> users_;
    std::unique_ptr<KeysDir> keys_;
    FwknopKeyPair requester_keys_;
    std::unique_ptr<DaemonFixture> daemon_;
    std::unique_ptr<TcpEchoServer> echo22_, echo2222_;
};
std::unique_ptr<TestUsers> RemoteGrant::users_;

TEST_F(RemoteGrant, StockClientOpensTheDoorForItsTimeoutThenItCloses) {
    start();
    Journal j;
    ASSERT_FALSE(door_open());
    SpaArgs args;
    args.extra = {"-f", "3", "-U", "someone-else"};  // type 3: a 3 s grant
    const auto sent = send_spa(daemon_->net(), requester_keys_, args);
    ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
    EXPECT_TRUE(eventually([&] { return door_open(); }, 5s)) << daemon_->log();
    const auto grant = j.wait_for({{"JITD_EVENT", "grant"}, {"JITD_CHANNEL", "remote"}});
    ASSERT_TRUE(grant) << j.dump();
    // The key names the user; the name inside the packet is only journaled.
    EXPECT_EQ(journal_field(*grant, "JITD_USER"), users_->requester.name);
    EXPECT_EQ(journal_field(*grant, "JITD_CLIENT_USER"), "someone-else");
    EXPECT_EQ(journal_field(*grant, "JITD_KEY"),
              keys_->path() + "/" + users_->requester.name + ".fwknop");
    EXPECT_EQ(journal_field(*grant, "JITD_PACKET_SOURCE"), TestAddrs::client4);
    EXPECT_EQ(journal_field(*grant, "JITD_PORT"), "22");
    const auto status = remote_status(*daemon_);
    EXPECT_EQ(status.value("enabled", false), true);
    EXPECT_EQ(status.value("granted", 0), 1);
    EXPECT_TRUE(eventually([&] { return !door_open(); }, 10s));
    EXPECT_FALSE(door_open(2222));
}

TEST_F(RemoteGrant, WithoutATimeoutTheGrantLastsDefaultDurationCappedByThePort) {
    start("  default_duration: 2h\n");  // more than the port's 1h
    Journal j;
    ASSERT_EQ(send_spa(daemon_->net(), requester_keys_, {}).exit_code, 0);
    ASSERT_TRUE(eventually([&] { return door_open(); }, 5s)) << daemon_->log();
    const auto grant = j.wait_for({{"JITD_EVENT", "grant"}, {"JITD_CHANNEL", "remote"}});
    ASSERT_TRUE(grant) << j.dump();
    const auto list = daemon_->request({{"op", "list"}});
    ASSERT_EQ(list.at("grants").size(), 1u) << list.dump();
    const auto start = wire::parse_iso8601(list["grants"][0].value("start", ""));
    const auto end = wire::parse_iso8601(list["grants"][0].value("end", ""));
    ASSERT_TRUE(start && end);
    EXPECT_EQ(*end - *start, std::chrono::hours(1));
}

TEST_F(RemoteGrant, SeveralPortsInOnePacketOpenTogether) {
    start();
    ASSERT_EQ(send_spa(daemon_->net(), requester_keys_, for_access("tcp/22,tcp/2222")).exit_code,
              0);
    EXPECT_TRUE(eventually([&] { return door_open(22) && door_open(2222); }, 5s)) << daemon_->log();
    EXPECT_EQ(daemon_->request({{"op", "list"}}).at("grants").size(), 2u);
}

TEST_F(RemoteGrant, PacketSourceTrueLetsMinusSAskForTheSendersAddress) {
    start("  packet_source: true\n");
    SpaArgs args;
    args.source_ip = true;
    ASSERT_EQ(send_spa(daemon_->net(), requester_keys_, args).exit_code, 0);
    EXPECT_TRUE(eventually([&] { return door_open(); }, 5s)) << daemon_->log();
    const auto list = daemon_->request({{"op", "list"}});
    ASSERT_EQ(list.at("grants").size(), 1u);
    EXPECT_EQ(list["grants"][0].value("source", ""), std::string(TestAddrs::client4) + "/32");
}

TEST_F(RemoteGrant, TheIntakeRuleExistsOnlyWithRemoteAndThePortNeverAnswers) {
    // Without `remote:`: no nflog rule, and the closed port answers with ICMP (the probe works).
    daemon_ = std::make_unique<DaemonFixture>("ports:\n  - {port: 22, protocol: tcp}\n");
    EXPECT_EQ(daemon_->ruleset().find("log group"), std::string::npos) << daemon_->ruleset();
    EXPECT_EQ(daemon_->ruleset().find("remote_rate"), std::string::npos) << daemon_->ruleset();
    EXPECT_TRUE(udp_port_refuses(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4,
                                 62201, 2s));
    EXPECT_EQ(remote_status(*daemon_).value("enabled", true), false);
    daemon_.reset();

    start();
    const std::string rules = daemon_->ruleset();
    for (const char* rule :
         {"udp dport 62201 update @remote_rate4 { ip saddr limit rate over 5/second burst 10 "
          "packets } counter packets 0 bytes 0 drop",
          "udp dport 62201 update @remote_rate6 { ip6 saddr & ffff:ffff:ffff:ffff:: limit rate "
          "over 5/second burst 10 packets } counter packets 0 bytes 0 drop",
          "udp dport 62201 limit rate 5000/second burst 5000 packets log group 62201 snaplen "
          "2048 queue-threshold 1",
          "set remote_rate4 {", "set remote_rate6 {"})
        EXPECT_NE(rules.find(rule), std::string::npos) << rule << "\n" << rules;
    EXPECT_NE(rules.find("udp dport 62201 drop"), std::string::npos) << rules;
    EXPECT_FALSE(udp_port_refuses(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4,
                                  62201, 500ms));
    // The datagram reached jitd through nflog (counted: it is no SPA packet), not a socket.
    EXPECT_TRUE(eventually([&] { return remote_status(*daemon_).value("dropped", 0) >= 1; }, 5s));
    std::ifstream udp("/proc/" + std::to_string(daemon_->pid()) + "/net/udp");
    std::stringstream text;
    text << udp.rdbuf();
    EXPECT_EQ(text.str().find(":F2F9 "), std::string::npos) << text.str();  // 62201

    // A reload without the section removes the rules.
    daemon_->rewrite_policy("ports:\n  - {port: 22, protocol: tcp}\n");
    EXPECT_TRUE(daemon_->request({{"op", "reload"}}).value("ok", false));
    EXPECT_EQ(daemon_->ruleset().find("log group"), std::string::npos);
    EXPECT_EQ(daemon_->ruleset().find("remote_rate"), std::string::npos);
    EXPECT_EQ(remote_status(*daemon_).value("enabled", true), false);
}

// The packet count of the IPv4 meter rule (`update @remote_rate4 ... counter packets N drop`).
long meter_drops(const std::string& ruleset) {
    const auto at = ruleset.find("update @remote_rate4");
    const auto c = ruleset.find("counter packets ", at);
    if (at == std::string::npos || c == std::string::npos) return -1;
    return std::stol(ruleset.substr(c + 16));
}

TEST_F(RemoteGrant, AFloodFromOneSourceDoesNotStopAKnockFromAnother) {
    start();
    // Forged datagrams from client4b, as fast as one socket sends them, before and during the
    // knock: far beyond the per-source burst and the global copy limit.
    UdpFlood flood(daemon_->net().client(), TestAddrs::client4b, TestAddrs::server4, 62201,
                   std::string(200, 'A'));
    ASSERT_TRUE(eventually([&] { return flood.sent() >= 3000; }, 60s));
    // The real client from client4 has its own meter: its knock is copied and granted.
    ASSERT_EQ(send_spa(daemon_->net(), requester_keys_, {}).exit_code, 0);
    EXPECT_TRUE(eventually([&] { return door_open(); }, 5s)) << daemon_->log();
    flood.stop();
    const long sent = flood.sent();
    const long dropped_in_kernel = meter_drops(daemon_->ruleset());
    // Most of the flood never reached jitd: its meter dropped it in the kernel.
    EXPECT_GE(dropped_in_kernel, sent / 2) << sent << "\n" << daemon_->ruleset();
    // What passed the meter was copied to jitd and counted as junk; nothing twice.
    EXPECT_TRUE(eventually([&] { return remote_status(*daemon_).value("dropped", 0) >= 1; }, 5s));
    const auto status = remote_status(*daemon_);
    EXPECT_EQ(status.value("granted", 0), 1) << status.dump();
    EXPECT_LE(status.value("dropped", 0) + dropped_in_kernel, sent) << status.dump();
    RecordProperty("flood_sent", std::to_string(sent));
    RecordProperty("flood_dropped_in_kernel", std::to_string(dropped_in_kernel));
    RecordProperty("flood_copied", std::to_string(status.value("dropped", 0)));
}

}  // namespace
}  // namespace jitd::test
