#include <gtest/gtest.h>

#include "config/policy.hpp"

namespace jitd::config {
namespace {

TEST(PolicyModel, ProtocolNames) {
    EXPECT_STREQ(to_string(Protocol::tcp), "tcp");
    EXPECT_STREQ(to_string(Protocol::udp), "udp");
    EXPECT_STREQ(to_string(Protocol::any), "any");
}

TEST(PolicyModel, DefaultPorts) {
    const auto ports = default_ports();
    ASSERT_EQ(ports.size(), 4u);
    const std::uint16_t expected[] = {22, 3389, 5985, 5986};
    for (std::size_t i = 0; i < ports.size(); ++i) {
        EXPECT_EQ(ports[i].port, expected[i]);
        EXPECT_EQ(ports[i].protocol, Protocol::any);
        EXPECT_EQ(ports[i].max_duration, std::chrono::hours{3});
        EXPECT_TRUE(ports[i].any_source);
        EXPECT_TRUE(ports[i].allowed_sources.empty());
    }
}

TEST(PolicyModel, CoversAndFind) {
    Policy p;
    PortRule ssh;
    ssh.port = 22;
    ssh.protocol = Protocol::tcp;
    PortRule dns;
    dns.port = 53;
    dns.protocol = Protocol::any;
    PortRule wg_udp;
    wg_udp.port = 51820;
    wg_udp.protocol = Protocol::udp;
    PortRule wg_tcp = wg_udp;
    wg_tcp.protocol = Protocol::tcp;
    p.ports = {ssh, dns, wg_udp, wg_tcp};

    EXPECT_TRUE(dns.covers(Protocol::tcp));
    EXPECT_TRUE(dns.covers(Protocol::udp));
    EXPECT_FALSE(ssh.covers(Protocol::udp));

    ASSERT_NE(p.find(22, Protocol::tcp), nullptr);
    EXPECT_EQ(p.find(22, Protocol::tcp)->port, 22);
    EXPECT_EQ(p.find(22, Protocol::udp), nullptr);
    EXPECT_EQ(p.find(22, Protocol::any), nullptr);  // tcp only does not cover both
    EXPECT_EQ(p.find(53, Protocol::udp), &p.ports[1]);
    EXPECT_EQ(p.find(53, Protocol::any), &p.ports[1]);
    EXPECT_EQ(p.find(51820, Protocol::udp), &p.ports[2]);
    EXPECT_EQ(p.find(51820, Protocol::tcp), &p.ports[3]);
    EXPECT_EQ(p.find(80, Protocol::tcp), nullptr);

    EXPECT_EQ(p.find_port(22), &p.ports[0]);
    EXPECT_EQ(p.find_port(51820), &p.ports[2]);
    EXPECT_EQ(p.find_port(80), nullptr);
}

}  // namespace
}  // namespace jitd::config
