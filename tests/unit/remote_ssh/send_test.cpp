// The client's sending and waiting, on loopback only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/client/daemon_connection.hpp"
#include "agent/client/remote_open.hpp"

namespace jitd::client {
namespace {

// A socket bound to 127.0.0.1 on a kernel-chosen port.
std::pair<UniqueFd, std::uint16_t> bound(int type) {
    UniqueFd fd(socket(AF_INET, type | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    return {std::move(fd), ntohs(a.sin_port)};
}

TEST(RemoteOpenSend, EveryDatagramArrivesWhole) {
    auto [fd, port] = bound(SOCK_DGRAM);
    const std::vector<SignedDatagram> sent{{"a", std::string(1232, 'x')}, {"b", "second"}};
    EXPECT_EQ(send_signed_requests("127.0.0.1", port, sent), "");
    for (const auto& d : sent) {
        pollfd p{fd.get(), POLLIN, 0};
        ASSERT_EQ(poll(&p, 1, 10000), 1);
        char buf[2048];
        const ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
        EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), d.bytes);
    }
    EXPECT_NE(send_signed_requests("no-such-host.invalid", port, sent), "");
}

TEST(RemoteOpenWait, ReturnsOnceThePortAccepts) {
    auto [listener, port] = bound(SOCK_STREAM);
    ASSERT_EQ(listen(listener.get(), 4), 0);
    EXPECT_TRUE(wait_for_tcp("127.0.0.1", port, std::chrono::seconds(10)));
    listener = UniqueFd();  // closed: nothing listens there now
    EXPECT_FALSE(wait_for_tcp("127.0.0.1", port, std::chrono::milliseconds(300)));
}

}  // namespace
}  // namespace jitd::client
