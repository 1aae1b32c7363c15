// Connections opened while nothing in the namespace used conntrack survive the first install:
// conntrack picks them up mid-stream ("ct state new", loose tracking) and the table lets such
// bare ACK segments through, while new connections to the protected port stay refused.
#include <fstream>
#include <string>

#include "tests/integration/nft/fixture.hpp"

namespace jitd::nft::testing {
namespace {

using jitd::test::TcpClient;
using jitd::test::TcpEchoServer;

class ConntrackPickup : public NftTest {
  protected:
    // How many connections the server namespace's conntrack holds right now.
    long tracked() {
        long n = -1;
        net().server().run([&] {
            std::ifstream in("/proc/sys/net/netfilter/nf_conntrack_count");
            in >> n;
        });
        return n;
    }
    // Sets the server namespace's nf_conntrack_tcp_loose; returns the value read back.
    int set_tcp_loose(int value) {
        const char* path = "/proc/sys/net/netfilter/nf_conntrack_tcp_loose";
        int now = -1;
        net().server().run([&] {
            std::ofstream(path) << value << "\n";
            std::ifstream(path) >> now;
        });
        return now;
    }
    bool tcp(const char* src, const char* dst) {
        return jitd::test::tcp_connects(net().client(), src, dst, kSsh);
    }
};

TEST_F(ConntrackPickup, ConnectionsConntrackNeverSawKeepWorkingAfterTheFirstInstall) {
    TcpEchoServer ssh(net().server(), kSsh);
    TcpClient v4(net().client(), TestAddrs::client4, TestAddrs::server4, kSsh);
    TcpClient v6(net().client(), TestAddrs::client6, TestAddrs::server6, kSsh);
    ASSERT_TRUE(v4.connected() && v6.connected());
    ASSERT_TRUE(v4.echo("before\n") && v6.echo("before\n"));
    ASSERT_EQ(tracked(), 0) << "no table yet: conntrack must not be tracking in the namespace";

    session().install(default_spec());  // protects kSsh; the first user of conntrack here

    // The client speaks first: its segment is conntrack's first sight of the connection.
    EXPECT_TRUE(v4.echo("after install\n"));
    EXPECT_TRUE(v6.echo("after install\n"));
    EXPECT_GT(tracked(), 0) << "the picked-up connections are tracked now";
    EXPECT_FALSE(tcp(TestAddrs::client4, TestAddrs::server4)) << "a new connection is refused";
    EXPECT_FALSE(tcp(TestAddrs::client6, TestAddrs::server6)) << "a new connection is refused";
    EXPECT_TRUE(v4.echo("still\n")) << "now an ordinary established connection";
    EXPECT_TRUE(v6.echo("still\n"));
}

// The documented limit: with strict tracking (nf_conntrack_tcp_loose=0) conntrack does not
// pick connections up, their segments are "ct state invalid", and jitd does not accept invalid
// packets. This pins that choice; an admin who sets tcp_loose=0 installs jitd from a console.
TEST_F(ConntrackPickup, StrictTrackingDoesNotPickThemUp) {
    TcpEchoServer ssh(net().server(), kSsh);
    TcpClient conn(net().client(), TestAddrs::client4, TestAddrs::server4, kSsh);
    ASSERT_TRUE(conn.connected());
    ASSERT_EQ(set_tcp_loose(0), 0);
    session().install(default_spec());
    EXPECT_FALSE(conn.echo("after install\n"));
    EXPECT_FALSE(tcp(TestAddrs::client4, TestAddrs::server4));
}

}  // namespace
}  // namespace jitd::nft::testing
