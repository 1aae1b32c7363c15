// Item 4 of issue 16 against a real jitd and a real (private) journald: the start entry and
// each accepted reload entry carry the protected ports (JITD_PORTS), their settings
// (JITD_PORT_POLICY, one line of JSON) and the listening management ports no rule protects
// (JITD_RECOMMENDED); a refused reload carries none; `audit --by host` shows the ports of the
// last accepted one.
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <string>
#include <thread>

#include "tests/integration/client/client_test_support.hpp"
#include "tests/support/daemon_fixture.hpp"
#include "tests/support/journal.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::test {
namespace {

using json = nlohmann::json;

constexpr const char* kFirstPolicy =
    "require_reason: true\n"
    "ports:\n"
    "  - {port: 22, protocol: tcp, max_duration: 1h, allowed_sources: any}\n"
    "  - {port: 3389, protocol: any, max_duration: 30m, allowed_sources: [198.51.100.0/24]}\n";

constexpr const char* kSecondPolicy =
    "ports:\n"
    "  - {port: 22, protocol: tcp, max_duration: 1h, allowed_sources: any}\n"
    "  - {port: 5985, protocol: tcp, max_duration: 2h, allowed_sources: any}\n";

class FleetStatusE2E : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root (namespaces, nftables)";
        // The journal may hold earlier tests' entries (scripts/kernels runs a whole suite
        // beside one journald): this test reads only its own, from a whole second on (audit's
        // --since has seconds), reached before the daemon starts.
        const auto now = std::chrono::system_clock::now();
        since_ = std::chrono::ceil<std::chrono::seconds>(now);
        while (std::chrono::system_clock::now() < since_)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        journal_ = std::make_unique<Journal>(true);
        daemon_ = std::make_unique<DaemonFixture>(kFirstPolicy);
    }
    void TearDown() override {
        listeners_.clear();
        daemon_.reset();
    }
    std::string since_utc() const {
        const std::time_t t = std::chrono::system_clock::to_time_t(since_);
        std::tm tm{};
        ::gmtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return buf;
    }
    std::chrono::system_clock::time_point since_;
    std::unique_ptr<Journal> journal_;
    std::unique_ptr<DaemonFixture> daemon_;
    std::vector<std::unique_ptr<TcpEchoServer>> listeners_;
};

TEST_F(FleetStatusE2E, StartAndReloadEntriesCarryThePortsTheirPolicyAndTheUnprotected) {
    const Journal& journal = *journal_;
    const auto start = journal.wait_for({{"JITD_EVENT", "start"}});
    ASSERT_TRUE(start) << journal.dump();
    EXPECT_EQ(journal_field(*start, "JITD_PORTS"), "22/tcp 3389/any");
    EXPECT_EQ(journal_field(*start, "JITD_RECOMMENDED"), "") << "nothing listens yet";
    const json policy = json::parse(journal_field(*start, "JITD_PORT_POLICY"));
    EXPECT_EQ(policy["require_reason"], true) << policy.dump();
    ASSERT_EQ(policy["ports"].size(), 2u) << policy.dump();
    EXPECT_EQ(policy["ports"][0]["port"], 22);
    EXPECT_EQ(policy["ports"][0]["protocol"], "tcp");
    EXPECT_EQ(policy["ports"][0]["max_duration"], "1h");
    EXPECT_EQ(policy["ports"][0]["sources"], "any");
    EXPECT_EQ(policy["ports"][0]["approval"], false);
    EXPECT_EQ(policy["ports"][1]["max_duration"], "30m");
    EXPECT_EQ(policy["ports"][1]["sources"], json::array({"198.51.100.0/24"}));

    // Management ports start listening; the new policy drops 3389 and protects 5985.
    const Netns& srv = daemon_->net().server();
    for (std::uint16_t port : {5900, 2222})
        listeners_.push_back(std::make_unique<TcpEchoServer>(srv, port));
    daemon_->rewrite_policy(kSecondPolicy);
    daemon_->reload_sighup();
    const auto reload = journal.wait_for({{"JITD_EVENT", "reload"}});
    ASSERT_TRUE(reload) << journal.dump();
    EXPECT_EQ(journal_field(*reload, "JITD_PORTS"), "22/tcp 5985/tcp");
    EXPECT_EQ(journal_field(*reload, "JITD_RECOMMENDED"), "2222/tcp 5900/tcp");
    const json second = json::parse(journal_field(*reload, "JITD_PORT_POLICY"));
    EXPECT_EQ(second["require_reason"], false);
    EXPECT_EQ(second["ports"][1]["max_duration"], "2h");

    // A refused reload says nothing about ports: the old policy stays in force.
    daemon_->rewrite_policy("ports: [not a rule\n");
    daemon_->reload_sighup();
    const auto refused =
        journal.wait_for({{"JITD_EVENT", "reload"}, {"JITD_ERROR", "policy_invalid"}});
    ASSERT_TRUE(refused) << journal.dump();
    EXPECT_FALSE(refused->contains("JITD_PORTS")) << refused->dump();

    // This host's journal, per host: the ports of the last accepted start or reload.
    const auto r =
        jit_request({"audit", "--since", since_utc(), "--by", "host", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const json hosts = json::parse(r.out);
    ASSERT_EQ(hosts.size(), 1u) << r.out;
    char name[256] = {};
    ASSERT_EQ(::gethostname(name, sizeof name - 1), 0);
    EXPECT_EQ(hosts[0]["host"], name);
    EXPECT_EQ(hosts[0]["ports"], json::array({"22/tcp", "5985/tcp"})) << r.out;
    EXPECT_EQ(hosts[0]["grants"], 0);
    EXPECT_EQ(hosts[0]["last_user"], nullptr);
    EXPECT_EQ(hosts[0]["last_access"], nullptr);
}

}  // namespace
}  // namespace jitd::test
