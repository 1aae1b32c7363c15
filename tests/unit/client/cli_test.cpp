// The command line without a daemon: what is a usage error (64) is decided before any socket
// is touched; a well-formed command with no daemon behind the socket gives 69.
#include "agent/client/cli.hpp"
#include "tests/unit/client/cli_runner.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

namespace jitd::client {
namespace {

constexpr const char* kNoDaemon = "/nonexistent/jitd-client-test.sock";

using testing::cli;

TEST(Cli, VersionAndHelpExitZero) {
    auto r = cli({"--version"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("jit-request 0."), std::string::npos) << r.out;
    for (const char* sub : {"open", "list", "revoke", "extend", "status", "audit"}) {
        r = cli({sub, "--help"});
        EXPECT_EQ(r.code, 0) << sub;
        EXPECT_NE(r.out.find(std::string("jit-request ") + sub), std::string::npos) << r.out;
    }
    r = cli({"--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("Exit status"), std::string::npos);
}

TEST(Cli, MissingOrUnknownSubcommandIsUsage) {
    EXPECT_EQ(cli({}).code, 64);
    auto r = cli({"frobnicate"});
    EXPECT_EQ(r.code, 64);
    EXPECT_NE(r.err.find("jit-request:"), std::string::npos);
}

TEST(Cli, OpenChecksItsArgumentsBeforeCallingTheDaemon) {
    const std::map<std::string, std::string> none;
    EXPECT_EQ(cli({"open", "--socket", kNoDaemon}).code, 64);  // no PORT
    EXPECT_EQ(cli({"open", "0", "--from", "192.0.2.1", "--socket", kNoDaemon}).code, 64);
    EXPECT_EQ(cli({"open", "22/icmp", "--from", "192.0.2.1", "--socket", kNoDaemon}).code, 64);
    auto r = cli({"open", "22", "--for", "1 hour", "--from", "192.0.2.1", "--socket", kNoDaemon});
    EXPECT_EQ(r.code, 64);
    EXPECT_NE(r.err.find("--for"), std::string::npos) << r.err;
    r = cli({"open", "22", "--from", "10.1.2.3/8", "--socket", kNoDaemon});
    EXPECT_EQ(r.code, 64);
    EXPECT_NE(r.err.find("10.0.0.0/8"), std::string::npos) << r.err;  // the network meant
}

TEST(Cli, OutsideSshWithoutFromSaysHowToGiveOne) {
    auto r = cli({"open", "22", "--socket", kNoDaemon});
    EXPECT_EQ(r.code, 64);
    EXPECT_NE(r.err.find("--from"), std::string::npos) << r.err;
    r = cli({"open", "22", "--socket", kNoDaemon}, {{"SSH_CONNECTION", "garbage 1 2 3"}});
    EXPECT_EQ(r.code, 64);
    EXPECT_NE(r.err.find("SSH_CONNECTION"), std::string::npos) << r.err;
}

// Issue 11, finding 12: a zone was dropped silently (a grant for every interface); now refused
// before the daemon is asked, from SSH_CONNECTION and from --from alike.
TEST(Cli, LinkLocalAddressWithAZoneIsRefusedClearly) {
    auto r = cli({"open", "22", "--socket", kNoDaemon},
                 {{"SSH_CONNECTION", "fe80::1%eth0 52311 fe80::2%eth0 22"}});
    EXPECT_EQ(r.code, 64) << r.err;
    EXPECT_NE(r.err.find("link-local with a zone"), std::string::npos) << r.err;
    r = cli({"open", "22", "--from", "fe80::1%eth0", "--socket", kNoDaemon});
    EXPECT_EQ(r.code, 64) << r.err;
    EXPECT_NE(r.err.find("zone id"), std::string::npos) << r.err;
}

TEST(Cli, SshConnectionOrFromLetsOpenReachTheDaemon) {
    auto r = cli({"open", "22/tcp", "--for", "5m", "--socket", kNoDaemon},
                 {{"SSH_CONNECTION", "2001:db8::7 52311 2001:db8::1 22"}});
    EXPECT_EQ(r.code, 69) << r.err;
    r = cli({"open", "22", "--from", "198.51.100.0/24", "--socket", kNoDaemon});
    EXPECT_EQ(r.code, 69) << r.err;
}

TEST(Cli, SocketFromOptionThenEnvironmentAppearsInTheMessage) {
    auto r = cli({"list"}, {{"JITD_SOCKET", "/nonexistent/from-env.sock"}});
    EXPECT_EQ(r.code, 69);
    EXPECT_NE(r.err.find("/nonexistent/from-env.sock"), std::string::npos) << r.err;
    r = cli({"list", "--socket", kNoDaemon}, {{"JITD_SOCKET", "/nonexistent/from-env.sock"}});
    EXPECT_EQ(r.code, 69);
    EXPECT_NE(r.err.find(kNoDaemon), std::string::npos) << r.err;
    // The option is global: before the subcommand works as well.
    r = cli({"--socket", kNoDaemon, "status"});
    EXPECT_EQ(r.code, 69);
    EXPECT_NE(r.err.find(kNoDaemon), std::string::npos) << r.err;
}

TEST(Cli, DefaultSocket) {
    auto r = cli({"status"}, {{"JITD_SOCKET", ""}});
    // Whatever the machine runs, the message names the default path when nothing overrides it.
    if (r.code == 69) {
        EXPECT_NE(r.err.find("/run/jitd/jitd.sock"), std::string::npos) << r.err;
    }
    const std::set<int> expected{0, 1, 69, 77};
    EXPECT_TRUE(expected.count(r.code)) << r.code;
}

TEST(Cli, ExtendNeedsADuration) {
    EXPECT_EQ(cli({"extend", "g-000000000001", "--socket", kNoDaemon}).code, 64);
    EXPECT_EQ(cli({"extend", "g-000000000001", "--for", "0s", "--socket", kNoDaemon}).code, 64);
    EXPECT_EQ(cli({"extend", "g-000000000001", "--for", "30m", "--socket", kNoDaemon}).code, 69);
    EXPECT_EQ(cli({"revoke", "--socket", kNoDaemon}).code, 64);
}

TEST(Cli, AuditOptionsAreChecked) {
    EXPECT_EQ(cli({"audit", "--format", "xml"}).code, 64);
    EXPECT_EQ(cli({"audit", "--port", "0"}).code, 64);
    EXPECT_EQ(cli({"audit", "--port", "65536"}).code, 64);
    EXPECT_EQ(cli({"audit", "--since", "last tuesday"}).code, 64);
    EXPECT_EQ(cli({"audit", "--since", "1d", "--until", "2d"}).code, 64);  // until before since
}

}  // namespace
}  // namespace jitd::client
