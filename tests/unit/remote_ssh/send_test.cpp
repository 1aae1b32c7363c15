// The client's sending and waiting, on loopback only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/client/daemon_connection.hpp"
#include "agent/client/exit_codes.hpp"
#include "agent/client/remote_open.hpp"
#include "agent/client/remote_open_command.hpp"
#include "agent/wire/fd.hpp"
#include "remote/ssh/ssh_verify.hpp"
#include "tests/unit/remote_ssh/loopback_socket.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

#include <sstream>

namespace jitd::client {
namespace {

TEST(RemoteOpenSend, EveryDatagramArrivesWhole) {
    auto [fd, port] = remote::ssh::test::loopback_socket(SOCK_DGRAM);
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
    auto [listener, port] = remote::ssh::test::loopback_socket(SOCK_STREAM);
    ASSERT_EQ(listen(listener.get(), 4), 0);
    EXPECT_TRUE(wait_for_tcp("127.0.0.1", port, std::chrono::seconds(10)));
    listener = wire::Fd();  // closed: nothing listens there now
    EXPECT_FALSE(wait_for_tcp("127.0.0.1", port, std::chrono::milliseconds(300)));
}

}  // namespace
}  // namespace jitd::client

namespace jitd::client {
namespace {

TEST(RunRemoteOpen, RefusesIncompleteArguments) {
    std::ostringstream out, err;
    RemoteOpenOptions o;
    o.port = "22";
    o.host = "127.0.0.1";
    EXPECT_EQ(run_remote_open(o, out, err), kExitUsage);  // no source named
    EXPECT_NE(err.str().find("--from-packet"), std::string::npos) << err.str();
    o.from_packet = true;
    o.for_text = "1h";
    o.until = "2099-01-01T00:00:00Z";
    EXPECT_EQ(run_remote_open(o, out, err), kExitUsage);
    o.until.reset();
    o.port = "0";
    EXPECT_EQ(run_remote_open(o, out, err), kExitUsage);
    o.port = "22";
    o.host = "127.0.0.1:99999";
    EXPECT_EQ(run_remote_open(o, out, err), kExitUsage);
}

// --key FILE, sent over loopback, checked by the verifier as the daemon would; then --wait.
TEST(RunRemoteOpen, SendsAVerifiableRequestAndWaits) {
    using namespace remote::ssh;
    auto [udp, udp_port] = remote::ssh::test::loopback_socket(SOCK_DGRAM);
    auto [tcp, tcp_port] = remote::ssh::test::loopback_socket(SOCK_STREAM);
    ASSERT_EQ(listen(tcp.get(), 4), 0);
    RemoteOpenOptions o;
    o.port = std::to_string(tcp_port) + "/tcp";
    o.host = "127.0.0.1:" + std::to_string(udp_port);
    o.from = "192.0.2.10";
    o.for_text = "30m";
    o.reason = "test";
    o.key = test::keys().ed25519;
    o.wait = std::chrono::seconds(10);
    std::ostringstream out, err;
    ASSERT_EQ(run_remote_open(o, out, err), kExitOk) << err.str();
    EXPECT_NE(out.str().find("is open"), std::string::npos) << out.str();
    char buf[2048];
    const ssize_t n = recv(udp.get(), buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 0);
    const auto res = verify_signed_request(std::string_view(buf, static_cast<std::size_t>(n)),
                                           test::alice_keyring(), {"127.0.0.1"}, test::now(),
                                           test::addr("192.0.2.10"));
    ASSERT_TRUE(res) << res.reason;
    EXPECT_EQ(res.request.port, tcp_port);
    EXPECT_EQ(res.request.protocol, config::Protocol::tcp);
    EXPECT_EQ(res.request.end, SignedRequest::End::duration);
    EXPECT_EQ(res.request.end_value, 1800u);
    EXPECT_EQ(res.request.reason, "test");
}

}  // namespace
}  // namespace jitd::client
