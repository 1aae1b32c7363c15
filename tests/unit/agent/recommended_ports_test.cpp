// The recommended-ports list: which listening sockets it names, the suggested policy lines
// (which must load as a policy), names from /etc/services or the table, and the JSON shape.
#include "agent/daemon/recommended_ports.hpp"

#include <gtest/gtest.h>

#include "agent/daemon/listening_ports.hpp"
#include "config/policy_loader.hpp"

namespace jitd::agent {
namespace {

using config::Protocol;

config::Policy policy_of(const std::string& ports_yaml) {
    return config::parse_policy("ports:\n" + ports_yaml, "policy.yaml");
}

std::string no_names(std::uint16_t, Protocol) {
    return {};
}

TEST(RecommendedPorts, NamesUnprotectedManagementPortsOnly) {
    const auto policy = policy_of("  - {port: 22, protocol: tcp}\n  - {port: 3389}\n");
    const std::vector<ListeningPort> listening = {
        {22, Protocol::tcp},    // protected
        {5900, Protocol::tcp},  // vnc
        {2222, Protocol::tcp},  // ssh elsewhere
        {8080, Protocol::tcp},  // not in the table
        {3389, Protocol::udp},  // protected (any)
        {5432, Protocol::udp},  // postgres is tcp only
        {22, Protocol::udp},    // ssh is tcp only
        {5900, Protocol::tcp},  // the same port twice (IPv4 and IPv6 listeners)
    };
    const auto list = recommend(listening, policy, no_names);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].port, 2222);
    EXPECT_EQ(list[0].protocol, Protocol::tcp);
    EXPECT_EQ(list[0].service, "ssh-alt");
    EXPECT_EQ(list[0].policy_line, "- {port: 2222, protocol: tcp, max_duration: 1h}");
    EXPECT_EQ(list[1].port, 5900);
    EXPECT_EQ(list[1].service, "vnc");
}

TEST(RecommendedPorts, AProtocolTheRuleDoesNotCoverIsRecommended) {
    const auto policy = policy_of("  - {port: 3389, protocol: tcp}\n");
    const auto list = recommend({{3389, Protocol::udp}, {3389, Protocol::tcp}}, policy, no_names);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_EQ(list[0].protocol, Protocol::udp);
    EXPECT_EQ(list[0].policy_line, "- {port: 3389, protocol: udp, max_duration: 1h}");
}

TEST(RecommendedPorts, ServicesNamesWinOverTheTable) {
    const auto policy = policy_of("  - {port: 22}\n");
    const auto named = [](std::uint16_t port, Protocol) {
        return port == 5901 ? std::string("vnc-one") : std::string();
    };
    const auto list = recommend({{5901, Protocol::tcp}, {9090, Protocol::tcp}}, policy, named);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].service, "vnc-one");
    EXPECT_EQ(list[1].service, "cockpit");
}

TEST(RecommendedPorts, EverySuggestedLineLoadsAsAPolicy) {
    std::string ports;
    for (const auto& p : management_ports())
        for (auto proto : {Protocol::tcp, Protocol::udp})
            if (p.protocol == Protocol::any || p.protocol == proto)
                ports += "  " + suggested_policy_line(p.port, proto) + "\n";
    const auto policy = policy_of(ports);
    EXPECT_EQ(policy.ports.size(), 18u);
    for (const auto& r : policy.ports) EXPECT_EQ(r.max_duration, std::chrono::hours(1));
    // With all of them protected, nothing is left to recommend.
    std::vector<ListeningPort> all;
    for (const auto& r : policy.ports) all.push_back({r.port, r.protocol});
    EXPECT_TRUE(recommend(all, policy, no_names).empty());
}

TEST(RecommendedPorts, TextAndJson) {
    const std::vector<Recommendation> list = {
        {5900, Protocol::tcp, "vnc", suggested_policy_line(5900, Protocol::tcp)}};
    EXPECT_EQ(recommendations_text(list),
              "5900/tcp (vnc) listens but is not protected; to protect it, add to ports:  "
              "- {port: 5900, protocol: tcp, max_duration: 1h}\n");
    EXPECT_EQ(recommendations_json(list).dump(),
              R"([{"policy":"- {port: 5900, protocol: tcp, max_duration: 1h}","port":5900,)"
              R"("protocol":"tcp","service":"vnc"}])");
    EXPECT_EQ(recommendations_json({}).dump(), "[]");
}

TEST(RecommendedPorts, LoopbackListenersAreNotRemote) {
    nft::Tuple t;
    t.local[0] = 127;
    t.local[3] = 1;
    EXPECT_TRUE(loopback_only(t));
    t.local[0] = 10;
    EXPECT_FALSE(loopback_only(t));
    nft::Tuple v6;
    v6.family = nft::Prefix::Family::ipv6;
    EXPECT_FALSE(loopback_only(v6));  // [::], every address
    v6.local[15] = 1;
    EXPECT_TRUE(loopback_only(v6));
}

}  // namespace
}  // namespace jitd::agent
