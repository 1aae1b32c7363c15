// The recommended ports against a real jitd in a private namespace: listeners on 2222 and 5900
// (tcp) and 3389 (udp) that the policy does not protect are listed with the policy line that
// would, the protected 22 is not; by `status --json`, `status` and `jitd --check`.
#include <gtest/gtest.h>

#include <memory>

#include "tests/integration/client/client_test_support.hpp"
#include "tests/support/daemon_fixture.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::test {
namespace {

using json = nlohmann::json;

class RecommendedE2E : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root (namespaces, nftables)";
        ::unsetenv("JITD_SOCKET");
        daemon_ = std::make_unique<DaemonFixture>(
            "ports:\n  - {port: 22, protocol: tcp, max_duration: 1h, allowed_sources: any}\n");
        const Netns& srv = daemon_->net().server();
        for (std::uint16_t port : {22, 2222, 5900})
            tcp_.push_back(std::make_unique<TcpEchoServer>(srv, port));
        udp_ = std::make_unique<UdpEchoServer>(srv, 3389);
    }
    void TearDown() override {
        tcp_.clear();
        udp_.reset();
        daemon_.reset();
    }
    RunResult jr(std::vector<std::string> args) {
        args.insert(args.begin(), {"--socket", daemon_->socket_path()});
        return jit_request(args);
    }

    std::unique_ptr<DaemonFixture> daemon_;
    std::vector<std::unique_ptr<TcpEchoServer>> tcp_;
    std::unique_ptr<UdpEchoServer> udp_;
};

TEST_F(RecommendedE2E, StatusListsTheUnprotectedListenersWithTheirPolicyLines) {
    auto r = jr({"status", "--json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const json st = json::parse(r.out);
    ASSERT_TRUE(st.contains("recommended")) << r.out;
    json by_port = json::object();
    for (const auto& e : st["recommended"])
        by_port[std::to_string(e["port"].get<int>()) + "/" + e["protocol"].get<std::string>()] = e;
    EXPECT_FALSE(by_port.contains("22/tcp")) << r.out;
    ASSERT_TRUE(by_port.contains("2222/tcp")) << r.out;
    ASSERT_TRUE(by_port.contains("5900/tcp")) << r.out;
    ASSERT_TRUE(by_port.contains("3389/udp")) << r.out;
    EXPECT_EQ(by_port["2222/tcp"]["policy"], "- {port: 2222, protocol: tcp, max_duration: 1h}");
    EXPECT_EQ(by_port["5900/tcp"]["policy"], "- {port: 5900, protocol: tcp, max_duration: 1h}");
    EXPECT_EQ(by_port["3389/udp"]["policy"], "- {port: 3389, protocol: udp, max_duration: 1h}");
    EXPECT_FALSE(by_port["5900/tcp"]["service"].get<std::string>().empty());
    // The fields that were there before are unchanged.
    EXPECT_EQ(st["ports"].size(), 1u);
    EXPECT_EQ(st["ports"][0]["port"], 22);

    r = jr({"status"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("listening but not protected"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("  5900/tcp ("), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("add to ports:  - {port: 2222, protocol: tcp, max_duration: 1h}"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("  22/tcp ("), std::string::npos) << r.out;
}

TEST_F(RecommendedE2E, CheckPrintsTheSameList) {
    const auto r = run(daemon_->net().server().exec(
        {DaemonFixture::binary(), "--check", "--policy", daemon_->policy_path()}));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("jitd: note: 2222/tcp ("), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("jitd: note: 5900/tcp ("), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("jitd: note: 3389/udp ("), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("add to ports:  - {port: 5900, protocol: tcp, max_duration: 1h}"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("note: 22/tcp"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("table inet jitd"), std::string::npos) << "the ruleset stays on stdout";
}

}  // namespace
}  // namespace jitd::test
