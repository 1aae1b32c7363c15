// The remote intake's per-source meters (nft/rules.cpp: remote_rules): the netlink-built rules
// and sets list as `nft` lists the rendered text, they exist only with a remote port, an
// existing meter set with another definition is refused, and in the kernel a flood from one
// source is dropped by its own meter while another source's datagrams pass it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <regex>
#include <string>

#include "tests/integration/nft/fixture.hpp"
#include "tests/integration/nft/listing_text.hpp"

namespace jitd::nft::testing {
namespace {

constexpr std::uint16_t kRemote = 62201;

TableSpec remote_spec() {
    TableSpec spec = default_spec();
    spec.remote_port = kRemote;
    return spec;
}

// `count` datagrams from src to dst:port, sent inside `ns` as fast as the socket takes them.
void send_datagrams(const jitd::test::Netns& ns, const std::string& src, const std::string& dst,
                    std::uint16_t port, int count) {
    std::string error;
    ns.run([&] {
        const bool v6 = src.find(':') != std::string::npos;
        sockaddr_storage from{}, to{};
        socklen_t len = 0;
        if (v6) {
            auto* f = reinterpret_cast<sockaddr_in6*>(&from);
            auto* t = reinterpret_cast<sockaddr_in6*>(&to);
            f->sin6_family = t->sin6_family = AF_INET6;
            ::inet_pton(AF_INET6, src.c_str(), &f->sin6_addr);
            ::inet_pton(AF_INET6, dst.c_str(), &t->sin6_addr);
            t->sin6_port = htons(port);
            len = sizeof(sockaddr_in6);
        } else {
            auto* f = reinterpret_cast<sockaddr_in*>(&from);
            auto* t = reinterpret_cast<sockaddr_in*>(&to);
            f->sin_family = t->sin_family = AF_INET;
            ::inet_pton(AF_INET, src.c_str(), &f->sin_addr);
            ::inet_pton(AF_INET, dst.c_str(), &t->sin_addr);
            t->sin_port = htons(port);
            len = sizeof(sockaddr_in);
        }
        const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&from), len) != 0 ||
            ::connect(fd, reinterpret_cast<sockaddr*>(&to), len) != 0) {
            error = "socket setup failed: errno " + std::to_string(errno);
        } else {
            for (int i = 0; i < count && error.empty(); ++i)
                if (::send(fd, "forged", 6, 0) != 6 && errno != ENOBUFS && errno != EAGAIN)
                    error = "send failed: errno " + std::to_string(errno);
        }
        if (fd >= 0) ::close(fd);
    });
    if (!error.empty()) throw std::runtime_error(error);
}

class RemoteMeter : public NftTest {
  protected:
    // The packet count of the rule that holds `marker`, from `nft list chain`.
    long counter_of(const std::string& marker) {
        const std::string chain = nft({"list", "chain", "inet", "jitd", "input"});
        const auto at = chain.find(marker);
        if (at == std::string::npos) throw std::runtime_error("no rule with " + marker);
        const std::string line = chain.substr(at, chain.find('\n', at) - at);
        std::smatch m;
        if (!std::regex_search(line, m, std::regex("counter packets ([0-9]+)")))
            throw std::runtime_error("no counter in " + line);
        return std::stol(m[1].str());
    }
    // Whether `set` lists `element` right after a datagram from `src`. Elements time out 10 s
    // after the last datagram, which a slow machine can spend between the send and the listing,
    // so this sends and looks again a few times.
    bool metered(const std::string& src, const std::string& dst, const std::string& set,
                 const std::string& element) {
        for (int attempt = 0; attempt < 10; ++attempt) {
            send_datagrams(net().client(), src, dst, kRemote, 1);
            if (nft({"list", "set", "inet", "jitd", set}).find(element) != std::string::npos)
                return true;
        }
        ADD_FAILURE() << set << " never listed " << element << ":\n"
                      << nft({"list", "set", "inet", "jitd", set});
        return false;
    }
};

TEST_F(RemoteMeter, NetlinkTableListsLikeTheRenderedText) {
    session().install(remote_spec());
    const std::string ours = listing();
    jitd::test::run_ok(net().client().exec({"nft", "-f", "-"}), render_ruleset(remote_spec()));
    const std::string theirs =
        jitd::test::run_ok(net().client().exec({"nft", "list", "table", "inet", "jitd"}));
    EXPECT_EQ(comparable_listing(ours), comparable_listing(theirs));
    const std::string rendered = render_ruleset(remote_spec());
    const std::string chain = rendered.substr(rendered.find("\tchain "));
    EXPECT_NE(comparable_listing(ours).find(chain), std::string::npos) << chain << "\n" << ours;
    for (const char* line :
         {"\tset remote_rate4 {\n\t\ttype ipv4_addr\n\t\tsize 16384\n\t\tflags dynamic,timeout\n"
          "\t\ttimeout 10s\n",
          "udp dport 62201 update @remote_rate4 { ip saddr limit rate over 5/second burst 10 "
          "packets } counter",
          "udp dport 62201 update @remote_rate6 { ip6 saddr & ffff:ffff:ffff:ffff:: limit rate "
          "over 5/second burst 10 packets } counter",
          "udp dport 62201 limit rate 5000/second burst 5000 packets log group 62201"})
        EXPECT_NE(ours.find(line), std::string::npos) << line << "\n" << ours;
    EXPECT_EQ(session().input_rule_count(), Session::expected_rule_count(remote_spec()));
}

TEST_F(RemoteMeter, TheMetersComeAndGoWithTheRemotePort) {
    session().install(default_spec());
    EXPECT_EQ(listing().find("remote_rate"), std::string::npos) << listing();
    session().install(remote_spec());
    EXPECT_NE(listing().find("set remote_rate6"), std::string::npos) << listing();
    session().install(remote_spec());  // the existing meters are reused
    session().restore(remote_spec(), {});
    EXPECT_EQ(session().input_rule_count(), Session::expected_rule_count(remote_spec()));
    session().install(default_spec());  // the rules go, and the sets with them
    const std::string after = listing();
    EXPECT_EQ(after.find("remote_rate"), std::string::npos) << after;
    EXPECT_EQ(after.find("udp dport 62201"), std::string::npos) << after;
    EXPECT_EQ(session().input_rule_count(), Session::expected_rule_count(default_spec()));
}

TEST_F(RemoteMeter, AMeterSetWithAnotherSizeIsRefused) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "set", "inet", "jitd", "remote_rate4",
         "{ type ipv4_addr; size 100; flags dynamic,timeout; timeout 10s; }"});
    const std::string before = listing();
    try {
        session().install(remote_spec());
        ADD_FAILURE() << "install over a conflicting meter set succeeded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("set remote_rate4 already exists with another"),
                  std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("size 100"), std::string::npos) << e.what();
        EXPECT_EQ(e.err(), EEXIST);
    }
    EXPECT_EQ(listing(), before) << "nothing was applied";
}

TEST_F(RemoteMeter, AFloodFromOneSourceMeetsItsOwnMeterAndAnotherSourcePasses) {
    session().install(remote_spec());
    const std::string meter4 = "update @remote_rate4";
    ASSERT_EQ(counter_of(meter4), 0);
    constexpr int kFlood = 2000;
    send_datagrams(net().client(), TestAddrs::client4b, TestAddrs::server4, kRemote, kFlood);
    // A new meter starts with a full burst, so at least that much of the flood was copied;
    // refills at 5/s are all the rest could get, so nearly all of it is dropped here.
    const long dropped = counter_of(meter4);
    EXPECT_LE(dropped, kFlood - static_cast<long>(kRemoteSourceBurst));
    EXPECT_GE(dropped, kFlood / 2);
    // Another source has its own meter: a whole burst from it passes the meter rule.
    send_datagrams(net().client(), TestAddrs::client4, TestAddrs::server4, kRemote,
                   static_cast<int>(kRemoteSourceBurst));
    EXPECT_EQ(counter_of(meter4), dropped);
    // Each source has its element, the IPv6 one keyed by its /64 (the host half zeroed).
    EXPECT_TRUE(metered(TestAddrs::client4, TestAddrs::server4, "remote_rate4",
                        std::string(TestAddrs::client4) + " limit rate over"));
    EXPECT_TRUE(metered(TestAddrs::client4b, TestAddrs::server4, "remote_rate4",
                        std::string(TestAddrs::client4b) + " limit rate over"));
    EXPECT_TRUE(metered(TestAddrs::client6b, TestAddrs::server6, "remote_rate6",
                        "2001:db8:99:: limit rate over"));
    EXPECT_EQ(nft({"list", "set", "inet", "jitd", "remote_rate6"}).find(TestAddrs::client6b),
              std::string::npos);
}

}  // namespace
}  // namespace jitd::nft::testing
