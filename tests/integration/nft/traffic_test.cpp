// Real packets through the table: grants open exactly their door, for exactly their time, and
// the kernel closes it by itself.
#include <algorithm>

#include "tests/integration/nft/fixture.hpp"

namespace jitd::nft::testing {
namespace {

using namespace std::chrono_literals;
using jitd::test::poll_until;
using jitd::test::tcp_connects;
using jitd::test::udp_answers;

constexpr auto kShort = 2s;  // a grant the tests watch expire

class Traffic : public NftTest {
  protected:
    void SetUp() override {
        NftTest::SetUp();
        if (IsSkipped()) return;
        session().install(default_spec());
    }
    bool tcp(const char* src, const char* dst, std::uint16_t port) {
        return tcp_connects(net().client(), src, dst, port);
    }
    bool udp(const char* src, const char* dst, std::uint16_t port) {
        return udp_answers(net().client(), src, dst, port);
    }
    // Waits (polling) until a new connection from src is refused: the kernel timed it out.
    bool closes(const char* src, const char* dst, std::uint16_t port, bool use_udp = false) {
        return poll_until([&] { return use_udp ? !udp(src, dst, port) : !tcp(src, dst, port); });
    }
};

TEST_F(Traffic, TcpGrantOpensForItsSourceUntilTheKernelTimesItOut) {
    jitd::test::TcpEchoServer ssh(net().server(), kSsh), other(net().server(), kOpen);
    jitd::test::UdpEchoServer ssh_udp(net().server(), kSsh);
    const char *me = TestAddrs::client4, *srv = TestAddrs::server4;
    EXPECT_FALSE(tcp(me, srv, kSsh)) << "protected before any grant";
    EXPECT_TRUE(tcp(me, srv, kOpen)) << "unprotected ports are not ours";

    add(E(me, L4::tcp, kSsh, kShort));
    EXPECT_TRUE(tcp(me, srv, kSsh));
    EXPECT_FALSE(tcp(TestAddrs::client4b, srv, kSsh)) << "only the granted source";
    EXPECT_FALSE(udp(me, srv, kSsh)) << "only the granted protocol";
    EXPECT_TRUE(tcp(TestAddrs::client4b, srv, kOpen));

    EXPECT_TRUE(closes(me, srv, kSsh)) << "the kernel timeout closes the door";
    EXPECT_TRUE(tcp(me, srv, kOpen));
    EXPECT_TRUE(session().list_elements().empty());
}

TEST_F(Traffic, UdpGrant) {
    jitd::test::UdpEchoServer ssh(net().server(), kSsh);
    const char *me = TestAddrs::client4, *srv = TestAddrs::server4;
    EXPECT_FALSE(udp(me, srv, kSsh));
    add(E(me, L4::udp, kSsh, kShort));
    EXPECT_TRUE(udp(me, srv, kSsh));
    EXPECT_FALSE(udp(TestAddrs::client4b, srv, kSsh));
    EXPECT_TRUE(closes(me, srv, kSsh, true));
}

TEST_F(Traffic, Ipv6Grant) {
    jitd::test::TcpEchoServer ssh(net().server(), kSsh), other(net().server(), kOpen);
    const char *me = TestAddrs::client6, *srv = TestAddrs::server6;
    EXPECT_FALSE(tcp(me, srv, kSsh));
    EXPECT_TRUE(tcp(me, srv, kOpen));
    add(E(me, L4::tcp, kSsh, kShort));
    EXPECT_TRUE(tcp(me, srv, kSsh));
    EXPECT_FALSE(tcp(TestAddrs::client6b, srv, kSsh));
    EXPECT_TRUE(closes(me, srv, kSsh));
}

TEST_F(Traffic, CidrGrantsLetTheWholePrefixIn) {
    jitd::test::TcpEchoServer ssh(net().server(), kSsh);
    jitd::test::UdpEchoServer ssh_udp(net().server(), kSsh);
    for (const char* src :
         {TestAddrs::client4, TestAddrs::client4b, TestAddrs::client6, TestAddrs::client6b})
        EXPECT_FALSE(tcp(src,
                         std::string(src).find(':') == std::string::npos ? TestAddrs::server4
                                                                         : TestAddrs::server6,
                         kSsh));
    session().apply(Change{{},
                           {E("198.51.100.0/30", L4::tcp, kSsh, kShort),
                            E("2001:db8:99::/126", L4::udp, kSsh, kShort)}});
    EXPECT_TRUE(tcp(TestAddrs::client4, TestAddrs::server4, kSsh));
    EXPECT_TRUE(tcp(TestAddrs::client4b, TestAddrs::server4, kSsh));
    EXPECT_TRUE(udp(TestAddrs::client6, TestAddrs::server6, kSsh));
    EXPECT_TRUE(udp(TestAddrs::client6b, TestAddrs::server6, kSsh));
    EXPECT_FALSE(tcp(TestAddrs::client6, TestAddrs::server6, kSsh)) << "the v6 grant is udp";
    EXPECT_TRUE(closes(TestAddrs::client4b, TestAddrs::server4, kSsh));
    EXPECT_TRUE(closes(TestAddrs::client6b, TestAddrs::server6, kSsh, true));
}

TEST_F(Traffic, AlwaysAllowPrefixesPass) {
    jitd::test::TcpEchoServer ssh(net().server(), kSsh);
    TableSpec spec = default_spec();
    spec.always_allow = {P(TestAddrs::client4b), P("2001:db8:99::2/127")};
    session().install(spec);
    EXPECT_TRUE(tcp(TestAddrs::client4b, TestAddrs::server4, kSsh));
    EXPECT_FALSE(tcp(TestAddrs::client4, TestAddrs::server4, kSsh));
    EXPECT_TRUE(tcp(TestAddrs::client6, TestAddrs::server6, kSsh));
    EXPECT_TRUE(tcp(TestAddrs::client6b, TestAddrs::server6, kSsh));
}

TEST_F(Traffic, EstablishedConnectionOutlivesItsGrantAndAReplace) {
    jitd::test::TcpEchoServer ssh(net().server(), kSsh);
    const char *me = TestAddrs::client4, *srv = TestAddrs::server4;
    add(E(me, L4::tcp, kSsh, kShort));
    jitd::test::TcpClient conn(net().client(), me, srv, kSsh);
    ASSERT_TRUE(conn.connected());
    EXPECT_TRUE(conn.echo("during"));
    EXPECT_TRUE(closes(me, srv, kSsh));
    EXPECT_TRUE(conn.echo("after expiry"));
    TableSpec next = default_spec();
    next.always_allow = {P("192.0.2.0/24")};
    session().install(next);
    EXPECT_TRUE(conn.echo("after replace"));
    EXPECT_FALSE(tcp(me, srv, kSsh)) << "still protected after the replace";
}

TEST_F(Traffic, ReplaceKeepsGrantsAndUnprotectsRemovedPorts) {
    jitd::test::TcpEchoServer ssh(net().server(), kSsh), rdp(net().server(), kRdp);
    const char *me = TestAddrs::client4, *other = TestAddrs::client4b, *srv = TestAddrs::server4;
    session().apply(Change{{},
                           {E(me, L4::tcp, kSsh, kLong, "jitd:g-ssh:alice"),
                            E(me, L4::tcp, kRdp, kLong, "jitd:g-rdp:alice")}});
    EXPECT_FALSE(tcp(other, srv, kRdp));

    TableSpec next;
    next.protected_ports = {{L4::tcp, kSsh}, {L4::udp, kSsh}};
    session().install(next);
    EXPECT_TRUE(tcp(other, srv, kRdp)) << "3389 is no longer protected";
    EXPECT_FALSE(tcp(other, srv, kSsh));
    EXPECT_TRUE(tcp(me, srv, kSsh)) << "the live grant still works";

    const auto listed = session().list_elements();
    ASSERT_EQ(listed.size(), 2u);
    for (const auto& l : listed) {
        EXPECT_EQ(l.comment, l.key.port == kSsh ? "jitd:g-ssh:alice" : "jitd:g-rdp:alice");
        EXPECT_GT(l.remaining, kLong - std::chrono::minutes(1));
    }
}

TEST_F(Traffic, SupersedeMovesTheExpiry) {
    jitd::test::TcpEchoServer ssh(net().server(), kSsh);
    const char *me = TestAddrs::client4, *srv = TestAddrs::server4;
    const ElementKey key = K(me, L4::tcp, kSsh);

    // Shorter: a 1h grant replaced by a 2s one closes after 2s.
    add(E(me, L4::tcp, kSsh, kLong, "jitd:g-1:alice"));
    session().apply(Change{{key}, {E(me, L4::tcp, kSsh, kShort, "jitd:g-2:alice")}});
    auto listed = session().list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].comment, "jitd:g-2:alice");
    EXPECT_EQ(listed[0].timeout, std::chrono::milliseconds(kShort));
    EXPECT_TRUE(tcp(me, srv, kSsh));
    EXPECT_TRUE(closes(me, srv, kSsh));

    // Longer: a 2s grant replaced by a 1h one is still open once the 2s have passed.
    add(E(me, L4::tcp, kSsh, kShort, "jitd:g-3:alice"));
    session().apply(Change{{key}, {E(me, L4::tcp, kSsh, kLong, "jitd:g-4:alice")}});
    ASSERT_TRUE(poll_until([&] {
        auto l = session().list_elements();
        return l.size() == 1 && l[0].remaining < kLong - kShort - 1s;
    }));
    EXPECT_TRUE(tcp(me, srv, kSsh));
    listed = session().list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].comment, "jitd:g-4:alice");
}

TEST_F(Traffic, DeleteClosesAtOnce) {
    jitd::test::TcpEchoServer ssh(net().server(), kSsh);
    const char *me = TestAddrs::client4, *srv = TestAddrs::server4;
    session().apply(
        Change{{}, {E(me, L4::tcp, kSsh, kLong), E("2001:db8:99::/126", L4::tcp, kSsh, kLong)}});
    EXPECT_TRUE(tcp(me, srv, kSsh));
    EXPECT_TRUE(tcp(TestAddrs::client6, TestAddrs::server6, kSsh));
    session().apply(Change{{K(me, L4::tcp, kSsh), K("2001:db8:99::/126", L4::tcp, kSsh)}, {}});
    EXPECT_FALSE(tcp(me, srv, kSsh));
    EXPECT_FALSE(tcp(TestAddrs::client6, TestAddrs::server6, kSsh));
    EXPECT_TRUE(session().list_elements().empty());
}

}  // namespace
}  // namespace jitd::nft::testing
