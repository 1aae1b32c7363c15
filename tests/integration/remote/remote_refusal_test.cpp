// Remote requests that must not open anything: unauthenticated packets are counted (never
// journaled one by one), authenticated ones that fail a check are journaled as a deny with the
// remote fields and the cause; the door stays closed in every case.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "tests/integration/remote/remote_support.hpp"
#include "tests/support/journal.hpp"

namespace jitd::test {
namespace {

using namespace std::chrono_literals;

class RemoteRefusal : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (::geteuid() == 0) users_ = std::make_unique<TestUsers>();
    }
    static void TearDownTestSuite() { users_.reset(); }
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, nftables, test users)";
        keys_ = std::make_unique<KeysDir>();
        requester_ = keys_->add(users_->requester.name);
        stranger_ = keys_->add(users_->stranger.name);
        lax_ = keys_->add(users_->viewer.name, 0644);  // refused at load: readable by others
        const std::string policy =
            "ports:\n"
            "  - {port: 22, protocol: tcp, max_duration: 1h}\n" +
            users_->access_yaml() + "remote:\n  keys: " + keys_->path() + "\n";
        daemon_ = std::make_unique<DaemonFixture>(policy);
        echo_ = std::make_unique<TcpEchoServer>(daemon_->net().server(), 22);
    }
    void TearDown() override {
        echo_.reset();
        daemon_.reset();
        keys_.reset();
    }
    bool door_open() {
        return tcp_connects(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    }
    long long counter(const std::string& cause) {
        return remote_status(*daemon_)
            .value("counters", nlohmann::json::object())
            .value(cause, 0LL);
    }
    // Sends, then waits for the deny naming `cause` (JITD_REMOTE_CAUSE or, from the Engine,
    // JITD_ERROR) and checks the door stayed closed.
    void expect_denied(const FwknopKeyPair& keys, const SpaArgs& args, const std::string& field,
                       const std::string& value) {
        Journal j;
        const auto sent = send_spa(daemon_->net(), keys, args);
        ASSERT_EQ(sent.exit_code, 0) << sent.out << sent.err;
        const auto deny =
            j.wait_for({{"JITD_EVENT", "deny"}, {"JITD_CHANNEL", "remote"}, {field, value}});
        ASSERT_TRUE(deny) << j.dump() << daemon_->log();
        EXPECT_NE(journal_field(*deny, "JITD_KEY"), "");
        EXPECT_EQ(journal_field(*deny, "JITD_PACKET_SOURCE"), TestAddrs::client4);
        EXPECT_FALSE(door_open());
    }

    static std::unique_ptr<TestUsers> users_;
    std::unique_ptr<KeysDir> keys_;
    FwknopKeyPair requester_, stranger_, lax_;
    std::unique_ptr<DaemonFixture> daemon_;
    std::unique_ptr<TcpEchoServer> echo_;
};
std::unique_ptr<TestUsers> RemoteRefusal::users_;

TEST_F(RemoteRefusal, UnauthenticatedPacketsAreCountedByCause) {
    Journal j;
    // The right encryption key with an HMAC key nobody has. (With another user's HMAC key the
    // packet authenticates as that user and fails to decrypt: journaled, see below.)
    FwknopKeyPair wrong = requester_;
    wrong.hmac_b64 = keys_->generate().hmac_b64;
    ASSERT_EQ(send_spa(daemon_->net(), wrong, {}).exit_code, 0);
    SpaArgs no_hmac;
    no_hmac.hmac = false;
    ASSERT_EQ(send_spa(daemon_->net(), requester_, no_hmac).exit_code, 0);
    EXPECT_TRUE(eventually([&] { return counter("no_key_matched") >= 2; }, 5s))
        << remote_status(*daemon_).dump() << daemon_->log();

    // One flipped character of a good packet (made with --save-packet, sent by hand).
    const std::string saved = daemon_->dir() + "/spa.txt";
    SpaArgs good;
    good.extra = {"--test"};  // build and save, do not send
    ASSERT_EQ(send_spa(daemon_->net(), requester_, good, 62201, saved).exit_code, 0);
    std::ifstream in(saved);
    std::string packet;
    std::getline(in, packet);
    ASSERT_GT(packet.size(), 100u);
    packet[packet.size() / 2] = packet[packet.size() / 2] == 'A' ? 'B' : 'A';
    send_udp(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4, 62201, packet);
    EXPECT_TRUE(eventually([&] { return counter("no_key_matched") >= 3; }, 5s));
    EXPECT_FALSE(door_open());
    EXPECT_EQ(remote_status(*daemon_).value("granted", 1), 0);
    // Counted, not journaled one by one.
    EXPECT_TRUE(j.entries({{"JITD_CHANNEL", "remote"}}).empty()) << j.dump();
}

TEST_F(RemoteRefusal, AnotherUsersHmacKeyAuthenticatesAsThemAndFailsToDecrypt) {
    FwknopKeyPair mixed = requester_;
    mixed.hmac_b64 = stranger_.hmac_b64;
    expect_denied(mixed, {}, "JITD_REMOTE_CAUSE", "bad_padding");
    EXPECT_EQ(counter("bad_padding"), 1);
}

TEST_F(RemoteRefusal, TheSamePacketTwiceIsAReplayAlsoAfterARestart) {
    const std::string saved = daemon_->dir() + "/spa.txt";
    ASSERT_EQ(send_spa(daemon_->net(), requester_, {}, 62201, saved).exit_code, 0);
    ASSERT_TRUE(eventually([&] { return door_open(); }, 5s)) << daemon_->log();
    std::ifstream in(saved);
    std::string packet;
    std::getline(in, packet);
    const auto list = daemon_->request({{"op", "list"}});
    ASSERT_EQ(list.at("grants").size(), 1u);
    ASSERT_TRUE(
        daemon_->request({{"op", "revoke"}, {"id", list["grants"][0]["id"]}}).value("ok", false));
    ASSERT_FALSE(door_open());
    {
        Journal j;
        send_udp(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4, 62201, packet);
        ASSERT_TRUE(j.wait_for({{"JITD_EVENT", "deny"}, {"JITD_REMOTE_CAUSE", "replayed"}}))
            << j.dump() << daemon_->log();
        EXPECT_FALSE(door_open());
    }
    daemon_->restart();
    Journal j;
    send_udp(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4, 62201, packet);
    ASSERT_TRUE(j.wait_for({{"JITD_EVENT", "deny"}, {"JITD_REMOTE_CAUSE", "replayed"}}))
        << j.dump() << daemon_->log();
    EXPECT_FALSE(door_open());
}

TEST_F(RemoteRefusal, ATimeOutsideMaxAgeIsStale) {
    SpaArgs args;
    args.extra = {"--time-offset-plus", "600"};
    expect_denied(requester_, args, "JITD_REMOTE_CAUSE", "stale");
}

TEST_F(RemoteRefusal, MinusSWithoutPacketSourceIsRefused) {
    SpaArgs args;
    args.source_ip = true;
    args.allow = "";
    expect_denied(requester_, args, "JITD_REMOTE_CAUSE", "packet_source");
}

TEST_F(RemoteRefusal, AnAllowIpOtherThanTheSenderIsRefused) {
    SpaArgs args;
    args.allow = TestAddrs::client4b;
    expect_denied(requester_, args, "JITD_REMOTE_CAUSE", "source_mismatch");
}

TEST_F(RemoteRefusal, APortThePolicyDoesNotProtectIsRefusedAsALocalOpenWouldBe) {
    expect_denied(requester_, for_access("tcp/2223"), "JITD_ERROR", "port_not_protected");
}

TEST_F(RemoteRefusal, OnePortRefusedRefusesThePacket) {
    expect_denied(requester_, for_access("tcp/22,tcp/2223"), "JITD_ERROR", "port_not_protected");
    EXPECT_EQ(daemon_->request({{"op", "list"}}).at("grants").size(), 0u);
}

TEST_F(RemoteRefusal, AUserWhoIsNotARequesterIsRefused) {
    expect_denied(stranger_, {}, "JITD_ERROR", "not_authorized");
}

TEST_F(RemoteRefusal, NatAccessMessagesAreRefused) {
    SpaArgs args;
    args.extra = {"-N", "192.0.2.9:22"};
    expect_denied(requester_, args, "JITD_REMOTE_CAUSE", "unsupported_type");
}

TEST_F(RemoteRefusal, AKeyFileReadableByOthersIsRefusedAtLoad) {
    EXPECT_NE(daemon_->log().find(users_->viewer.name + ".fwknop"), std::string::npos)
        << daemon_->log();
    EXPECT_EQ(remote_status(*daemon_).value("keys", 0), 2);  // requester and stranger only
    ASSERT_EQ(send_spa(daemon_->net(), lax_, {}).exit_code, 0);
    EXPECT_TRUE(eventually([&] { return counter("no_key_matched") >= 1; }, 5s));
    EXPECT_FALSE(door_open());
}

}  // namespace
}  // namespace jitd::test
