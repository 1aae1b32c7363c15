// `jit-request open PORT --host ...` through the whole command line (run_cli), on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "agent/client/daemon_connection.hpp"
#include "agent/client/exit_codes.hpp"
#include "agent/client/remote_open_command.hpp"
#include "agent/wire/fd.hpp"
#include "remote/ssh/ssh_verify.hpp"
#include "tests/unit/client/cli_runner.hpp"
#include "tests/unit/remote_ssh/loopback_socket.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::client {
namespace {

using testing::cli;

TEST(OpenHostCli, SendsTheSignedRequestTheOptionsDescribeAndWaits) {
    using namespace remote::ssh;
    auto [udp, udp_port] = remote::ssh::test::loopback_socket(SOCK_DGRAM);
    auto [tcp, tcp_port] = remote::ssh::test::loopback_socket(SOCK_STREAM);
    ASSERT_EQ(listen(tcp.get(), 4), 0);
    const auto r =
        cli({"open", std::to_string(tcp_port), "--host", "127.0.0.1:" + std::to_string(udp_port),
             "--key", test::keys().ed25519, "--from", "192.0.2.0/24", "--for", "45m", "--reason",
             "cli", "--wait", "--quiet"});
    ASSERT_EQ(r.code, kExitOk) << r.err;
    EXPECT_EQ(r.out, "");  // --quiet
    pollfd p{udp.get(), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 10000), 1);
    char buf[2048];
    const ssize_t n = recv(udp.get(), buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    const auto res = verify_signed_request(std::string_view(buf, static_cast<std::size_t>(n)),
                                           test::alice_keyring(), {"127.0.0.1"}, test::now(),
                                           test::addr("192.0.2.10"));
    ASSERT_TRUE(res) << res.reason;
    EXPECT_EQ(res.identity.user, "alice");
    EXPECT_EQ(res.request.port, tcp_port);
    EXPECT_EQ(res.request.end, SignedRequest::End::duration);
    EXPECT_EQ(res.request.end_value, 2700u);
    ASSERT_TRUE(res.request.source);
    EXPECT_EQ(res.request.source->str(), "192.0.2.0/24");
    EXPECT_EQ(res.request.reason, "cli");
}

TEST(OpenHostCli, FromPacketAndUntilReachTheRequest) {
    using namespace remote::ssh;
    auto [udp, udp_port] = remote::ssh::test::loopback_socket(SOCK_DGRAM);
    const auto r =
        cli({"open", "22/tcp", "--host", "127.0.0.1:" + std::to_string(udp_port), "--key",
             test::keys().ed25519, "--from-packet", "--until", "2099-01-01T00:00:00Z"});
    ASSERT_EQ(r.code, kExitOk) << r.err;
    EXPECT_NE(r.out.find("sent 1 signed request"), std::string::npos) << r.out;
    char buf[2048];
    pollfd p{udp.get(), POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 10000), 1);
    const ssize_t n = recv(udp.get(), buf, sizeof buf, 0);
    const auto res = verify_signed_request(std::string_view(buf, static_cast<std::size_t>(n)),
                                           test::alice_keyring(), {"127.0.0.1"}, test::now(),
                                           test::addr("192.0.2.10"));
    ASSERT_TRUE(res) << res.reason;
    EXPECT_FALSE(res.request.source);  // from the packet
    EXPECT_EQ(res.request.end, SignedRequest::End::until);
    EXPECT_EQ(res.request.end_value, 4070908800u);
}

TEST(OpenHostCli, RemoteOnlyOptionsNeedHostAndBadValuesAreUsageErrors) {
    for (const auto& opt : {"--from-packet", "--quiet"}) {
        const auto r = cli({"open", "22", opt, "--from", "192.0.2.1"});
        EXPECT_EQ(r.code, kExitUsage) << opt;
        EXPECT_NE(r.err.find("needs --host"), std::string::npos) << r.err;
    }
    EXPECT_EQ(cli({"open", "22", "--key", "k", "--from", "192.0.2.1"}).code, kExitUsage);
    // --wait is local too (the decision on a pending request): a bad value is a usage error.
    const auto bad_local_wait = cli({"open", "22", "--from", "192.0.2.1", "--wait=soon"});
    EXPECT_EQ(bad_local_wait.code, kExitUsage);
    EXPECT_NE(bad_local_wait.err.find("--wait"), std::string::npos) << bad_local_wait.err;
    const auto bad_wait =
        cli({"open", "22", "--host", "127.0.0.1", "--from-packet", "--wait=soon"});
    EXPECT_EQ(bad_wait.code, kExitUsage);
    EXPECT_NE(bad_wait.err.find("--wait"), std::string::npos) << bad_wait.err;
    EXPECT_EQ(cli({"open", "22", "--host", "127.0.0.1", "--for", "1h", "--until",
                   "2099-01-01T00:00:00Z", "--from-packet"})
                  .code,
              kExitUsage);
    EXPECT_EQ(cli({"open", "22", "--host", "127.0.0.1"}).code, kExitUsage);  // no source
}

}  // namespace
}  // namespace jitd::client
