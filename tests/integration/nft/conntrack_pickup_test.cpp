// Connections opened while nothing in the namespace used conntrack survive the first install:
// conntrack picks them up mid-stream ("ct state new", loose tracking) and the table lets such
// bare ACK segments through for the 4-tuples found at the install (sock_diag), while new
// connections to the protected port, and bare ACKs from anyone else, stay refused.
#include <algorithm>
#include <fstream>
#include <string>

#include "sessions/sessions.hpp"
#include "tests/integration/nft/fixture.hpp"
#include "tests/support/bare_ack.hpp"

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
    // What the daemon does at its first install: the sessions open on protected TCP ports.
    std::vector<Tuple> open_sessions() {
        std::vector<Tuple> out;
        net().server().run([&] { out = sessions::established_tcp({kSsh, kRdp}); });
        return out;
    }
    // Packets `counter drop` has counted so far.
    long dropped() {
        const std::string chain = nft({"list", "chain", "inet", "jitd", "input"});
        const auto at = chain.find("counter packets ");
        return at == std::string::npos ? -1 : std::stol(chain.substr(at + 16));
    }
    static Tuple tuple(const char* remote, std::uint16_t rport, const char* local,
                       std::uint16_t lport) {
        const Prefix r = P(remote), l = P(local);
        return Tuple{r.family, r.bytes, rport, l.bytes, lport};
    }
    static std::vector<std::string> sorted(const std::vector<Tuple>& v) {
        std::vector<std::string> out;
        out.reserve(v.size());
        for (const auto& t : v) out.push_back(t.str());
        std::sort(out.begin(), out.end());
        return out;
    }
};

TEST_F(ConntrackPickup, ConnectionsConntrackNeverSawKeepWorkingAfterTheFirstInstall) {
    TcpEchoServer ssh(net().server(), kSsh);
    TcpClient v4(net().client(), TestAddrs::client4, TestAddrs::server4, kSsh);
    TcpClient v6(net().client(), TestAddrs::client6, TestAddrs::server6, kSsh);
    ASSERT_TRUE(v4.connected() && v6.connected());
    ASSERT_TRUE(v4.echo("before\n") && v6.echo("before\n"));
    ASSERT_EQ(tracked(), 0) << "no table yet: conntrack must not be tracking in the namespace";

    const std::vector<Tuple> found = open_sessions();
    EXPECT_EQ(sorted(found),
              sorted({tuple(TestAddrs::client4, v4.local_port(), TestAddrs::server4, kSsh),
                      tuple(TestAddrs::client6, v6.local_port(), TestAddrs::server6, kSsh)}))
        << "sock_diag finds exactly the sessions on the protected port";
    session().install(default_spec(), found);  // the first user of conntrack here
    EXPECT_EQ(sorted(session().list_pickups()), sorted(found))
        << "the pickup sets hold exactly the sessions open at the install";

    // The client speaks first: its segment is conntrack's first sight of the connection.
    EXPECT_TRUE(v4.echo("after install\n"));
    EXPECT_TRUE(v6.echo("after install\n"));
    EXPECT_GT(tracked(), 0) << "the picked-up connections are tracked now";
    EXPECT_FALSE(tcp(TestAddrs::client4, TestAddrs::server4)) << "a new connection is refused";
    EXPECT_FALSE(tcp(TestAddrs::client6, TestAddrs::server6)) << "a new connection is refused";
    EXPECT_TRUE(v4.echo("still\n")) << "now an ordinary established connection";
    EXPECT_TRUE(v6.echo("still\n"));
}

// A session the first install did not find (here: not passed to it) is not picked up: the
// pickup is for the 4-tuples found at the install, not for every bare ACK.
TEST_F(ConntrackPickup, SessionsNotFoundAtTheInstallAreNotPickedUp) {
    TcpEchoServer ssh(net().server(), kSsh);
    TcpClient found(net().client(), TestAddrs::client4, TestAddrs::server4, kSsh);
    TcpClient unknown(net().client(), TestAddrs::client4b, TestAddrs::server4, kSsh);
    ASSERT_TRUE(found.connected() && unknown.connected());
    std::vector<Tuple> pickups = open_sessions();
    ASSERT_EQ(pickups.size(), 2u);
    std::erase_if(pickups, [](const Tuple& t) { return t.remote != P(TestAddrs::client4).bytes; });
    session().install(default_spec(), pickups);
    EXPECT_TRUE(found.echo("picked up\n"));
    EXPECT_FALSE(unknown.echo("not picked up\n"));
}

// SYN-cookie guessing: a bare ACK to a protected port from a source with no grant is dropped
// (counted, never answered), even while the listener would take it for a connection attempt.
// Without the pickup restriction such an ACK reached the listener, which answered with RST.
TEST_F(ConntrackPickup, BareAckFromAnUngrantedSourceIsDropped) {
    TcpEchoServer ssh(net().server(), kSsh);
    session().install(default_spec());
    add(E(TestAddrs::client4, L4::tcp, kSsh, std::chrono::hours(1)));
    const long before = dropped();
    ASSERT_GE(before, 0);
    EXPECT_TRUE(jitd::test::bare_ack_answered(net().client(), TestAddrs::client4, 40001,
                                              TestAddrs::server4, kSsh))
        << "a granted source reaches the listener, which resets the stray ACK";
    EXPECT_FALSE(jitd::test::bare_ack_answered(net().client(), TestAddrs::client4b, 40002,
                                               TestAddrs::server4, kSsh))
        << "an ungranted source's bare ACK must not reach the listener";
    EXPECT_GT(dropped(), before) << "the drop rule counted it";
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
