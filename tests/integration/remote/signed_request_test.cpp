// Signed remote requests end to end: keys made by ssh-keygen in a real ssh-agent, the real
// `jit-request open --host` in the client namespace, jitd's nflog intake in the server
// namespace; the door opens (IPv4 and IPv6), the kernel closes it again, a certificate caps
// the grant, and refusals after the signature are journaled with the user.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include "agent/client/remote_open.hpp"
#include "agent/wire/timefmt.hpp"
#include "tests/integration/remote/remote_support.hpp"
#include "tests/integration/remote/ssh_support.hpp"
#include "tests/support/journal.hpp"

namespace jitd::test {
namespace {

using namespace std::chrono_literals;

class SignedRequest : public ::testing::Test {
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
    void list_keys(const std::vector<std::string>& keys) {
        std::ofstream out(keys_dir_->path() + "/" + users_->requester.name + ".pub");
        for (const auto& k : keys) out << ssh_->public_line(k) << "\n";
    }
    void start(const std::string& more = "") {
        daemon_ = std::make_unique<DaemonFixture>(
            "ports:\n  - {port: 22, protocol: tcp, max_duration: 1h}\n" + users_->access_yaml() +
            "remote:\n  keys: " + keys_dir_->path() + "\n" + more);
        echo_ = std::make_unique<TcpEchoServer>(daemon_->net().server(), 22);
    }
    bool door_open(bool v6 = false) {
        return v6 ? tcp_connects(daemon_->net().client(), TestAddrs::client6, TestAddrs::server6,
                                 22)
                  : tcp_connects(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4,
                                 22);
    }
    // One datagram signed with `key` (a key file), as jit-request would send it.
    std::string datagram(const std::string& key, const std::string& host = TestAddrs::server4) {
        remote::ssh::SignedRequest base;
        base.host = host;
        base.port = 22;
        base.protocol = config::Protocol::tcp;
        base.source = config::parse_cidr(TestAddrs::client4).value;
        base.end = remote::ssh::SignedRequest::End::duration;
        base.end_value = 60;
        base.reason = "by hand";
        auto signers = client::request_signers(key);
        const auto built = client::build_signed_requests(base, signers);
        if (built.datagrams.size() != 1) throw std::runtime_error("could not sign");
        return built.datagrams.front().bytes;
    }
    void send(const std::string& bytes) {
        send_udp(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4, 62201, bytes);
    }

    static std::unique_ptr<TestUsers> users_;
    std::unique_ptr<KeysDir> keys_dir_;
    std::unique_ptr<SshKeys> ssh_;
    std::unique_ptr<DaemonFixture> daemon_;
    std::unique_ptr<TcpEchoServer> echo_;
};
std::unique_ptr<TestUsers> SignedRequest::users_;

TEST_F(SignedRequest, AgentKeysOpenTheDoorOverIpv4AndIpv6ThenTheKernelClosesIt) {
    const auto ed = ssh_->make_key("ed", "ed25519");
    const auto ec = ssh_->make_key("ec", "ecdsa");
    list_keys({ed, ec});
    ssh_->add_to_agent(ed);
    ssh_->add_to_agent(ec);
    start();  // host_names by default: the server's interface addresses among them
    Journal j;
    ASSERT_FALSE(door_open());
    const auto r =
        jit_request_open(daemon_->net().client(), *ssh_,
                         {"22", "--host", TestAddrs::server4, "--from", TestAddrs::client4, "--for",
                          "3s", "--wait=10s", "--reason", "over v4"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << daemon_->log();
    EXPECT_NE(r.out.find("sent 2 signed requests"), std::string::npos) << r.out;
    const auto grant = j.wait_for({{"JITD_EVENT", "grant"}, {"JITD_CHANNEL", "remote"}});
    ASSERT_TRUE(grant) << j.dump();
    EXPECT_EQ(journal_field(*grant, "JITD_USER"), users_->requester.name);
    EXPECT_EQ(journal_field(*grant, "JITD_KEY").rfind("SHA256:", 0), 0u);
    EXPECT_EQ(journal_field(*grant, "JITD_PACKET_SOURCE"), TestAddrs::client4);
    EXPECT_EQ(journal_field(*grant, "JITD_REASON"), "over v4");
    // The second key's datagram carries the same request: counted, not journaled.
    EXPECT_TRUE(eventually(
        [&] { return remote_status(*daemon_)["counters"].value("sshsig_sibling", 0) == 1; }, 5s))
        << remote_status(*daemon_).dump();
    EXPECT_TRUE(j.entries({{"JITD_EVENT", "deny"}}).empty()) << j.dump();
    EXPECT_TRUE(eventually([&] { return !door_open(); }, 15s));

    const auto r6 = jit_request_open(daemon_->net().client(), *ssh_,
                                     {"22", "--host", TestAddrs::server6, "--from",
                                      "2001:db8:99::/64", "--for", "3s", "--wait", "--quiet"});
    ASSERT_EQ(r6.exit_code, 0) << r6.out << r6.err << daemon_->log();
    EXPECT_EQ(r6.out, "");
    EXPECT_TRUE(door_open(true));
    EXPECT_EQ(remote_status(*daemon_).value("granted", 0), 2);
    EXPECT_TRUE(eventually([&] { return !door_open(true); }, 15s));
}

TEST_F(SignedRequest, ACertificateIsAcceptedAndTheGrantEndsNoLaterThanIt) {
    const auto ca = ssh_->make_key("ca", "ed25519");
    const auto user = ssh_->make_key("user", "ed25519");
    const auto before = wire::now_seconds();
    ssh_->certify(ca, user, users_->requester.name, "-1m:+2m");
    ssh_->add_to_agent(user);  // the key (unlisted: refused) and its certificate
    {
        std::ofstream out(ssh_->dir() + "/user_ca.pub");
        out << ssh_->public_line(ca) << "\n";
    }
    start("  user_ca: " + ssh_->dir() + "/user_ca.pub\n");
    Journal j;
    const auto r = jit_request_open(daemon_->net().client(), *ssh_,
                                    {"22", "--host", TestAddrs::server4, "--from",
                                     TestAddrs::client4, "--for", "1h", "--wait=10s"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << daemon_->log();
    const auto grant = j.wait_for({{"JITD_EVENT", "grant"}, {"JITD_CHANNEL", "remote"}});
    ASSERT_TRUE(grant) << j.dump();
    EXPECT_EQ(journal_field(*grant, "JITD_USER"), users_->requester.name);
    EXPECT_EQ(journal_field(*grant, "JITD_CERT_ID"), "test-cert");
    const auto list = daemon_->request({{"op", "list"}});
    ASSERT_EQ(list.at("grants").size(), 1u) << list.dump();
    const auto end = wire::parse_iso8601(list["grants"][0].value("end", ""));
    ASSERT_TRUE(end);
    EXPECT_LE(*end, before + 2min + 5s);  // not the hour asked for (slack: second rounding)
    EXPECT_TRUE(eventually(
        [&] { return remote_status(*daemon_)["counters"].value("sshsig_unknown_key", 0) == 1; },
        5s))
        << remote_status(*daemon_).dump();
}

// --key with a passphrase-protected key: the real jit-request runs the real ssh-keygen, which
// gets the passphrase from an askpass script; the agent is empty, so only the file can sign.
TEST_F(SignedRequest, APassphraseProtectedKeyFileSignsThroughSshKeygenAndAskpass) {
    const std::string key = ssh_->dir() + "/locked";
    run_ok({"ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-C", "locked", "-f", key});
    const std::string askpass = ssh_->dir() + "/askpass";
    {
        std::ofstream out(askpass);
        out << "#!/bin/sh\necho secret\n";
    }
    ASSERT_EQ(::chmod(askpass.c_str(), 0700), 0);
    list_keys({key});
    start();
    Journal j;
    ASSERT_FALSE(door_open());
    const auto r = run(daemon_->net().client().exec(
        {"env", "SSH_AUTH_SOCK=" + ssh_->agent_socket(), "SSH_ASKPASS=" + askpass,
         "SSH_ASKPASS_REQUIRE=force", JIT_REQUEST_BINARY, "open", "22", "--host",
         TestAddrs::server4, "--from", TestAddrs::client4, "--for", "1m", "--key", key,
         "--wait=10s"}));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << daemon_->log();
    EXPECT_NE(r.out.find("sent 1 signed request"), std::string::npos) << r.out;
    const auto grant = j.wait_for({{"JITD_EVENT", "grant"}, {"JITD_CHANNEL", "remote"}});
    ASSERT_TRUE(grant) << j.dump();
    EXPECT_EQ(journal_field(*grant, "JITD_USER"), users_->requester.name);
    EXPECT_TRUE(door_open());

    // A wrong passphrase: no request is sent, and the message says why.
    {
        std::ofstream out(askpass, std::ios::trunc);
        out << "#!/bin/sh\necho wrong\n";
    }
    const auto bad = run(daemon_->net().client().exec(
        {"env", "SSH_AUTH_SOCK=" + ssh_->agent_socket(), "SSH_ASKPASS=" + askpass,
         "SSH_ASKPASS_REQUIRE=force", JIT_REQUEST_BINARY, "open", "22", "--host",
         TestAddrs::server4, "--from", TestAddrs::client4, "--for", "1m", "--key", key}));
    EXPECT_EQ(bad.exit_code, 69) << bad.out << bad.err;
    EXPECT_NE(bad.err.find("ssh-keygen -Y sign failed"), std::string::npos) << bad.err;
}

TEST_F(SignedRequest, RefusalsAfterTheSignatureAreJournaledWithTheUserOthersOnlyCounted) {
    const auto ed = ssh_->make_key("ed", "ed25519");
    const auto stranger = ssh_->make_key("stranger", "ed25519");
    list_keys({ed});
    start();
    Journal j;
    const std::string good = datagram(ed);
    send(good);
    ASSERT_TRUE(j.wait_for({{"JITD_EVENT", "grant"}, {"JITD_CHANNEL", "remote"}})) << j.dump();
    ASSERT_TRUE(door_open());

    send(good);  // replayed
    auto deny = j.wait_for({{"JITD_EVENT", "deny"}, {"JITD_REMOTE_CAUSE", "replayed"}});
    ASSERT_TRUE(deny) << j.dump();
    EXPECT_EQ(journal_field(*deny, "JITD_USER"), users_->requester.name);

    daemon_->restart();  // spent requests stay spent
    send(good);
    EXPECT_EQ(
        j.wait_for_count({{"JITD_EVENT", "deny"}, {"JITD_REMOTE_CAUSE", "replayed"}}, 2).size(), 2u)
        << j.dump();

    send(datagram(ed, "another-host.example"));
    deny = j.wait_for({{"JITD_EVENT", "deny"}, {"JITD_REMOTE_CAUSE", "wrong_host"}});
    ASSERT_TRUE(deny) << j.dump();
    EXPECT_EQ(journal_field(*deny, "JITD_USER"), users_->requester.name);

    const std::size_t denies = j.entries({{"JITD_EVENT", "deny"}}).size();
    send(datagram(stranger));  // an unlisted key: anyone could send it, so only counted
    EXPECT_TRUE(eventually(
        [&] { return remote_status(*daemon_)["counters"].value("sshsig_unknown_key", 0) == 1; },
        5s))
        << remote_status(*daemon_).dump();
    EXPECT_EQ(j.entries({{"JITD_EVENT", "deny"}}).size(), denies);
}

}  // namespace
}  // namespace jitd::test
