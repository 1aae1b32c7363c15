// `jit-request open --until` against a real jitd in private namespaces: the grant's end is the
// asked one (within the seconds the run took), and the refusals exit as documented.
#include <gtest/gtest.h>

#include <memory>

#include "agent/wire/timefmt.hpp"
#include "tests/integration/client/client_test_support.hpp"
#include "tests/support/daemon_fixture.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

class UntilE2E : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root (namespaces, nftables)";
        ::unsetenv("SSH_CONNECTION");
        ::unsetenv("JITD_SOCKET");
        daemon_ = std::make_unique<DaemonFixture>(
            "ports:\n  - {port: 22, protocol: tcp, max_duration: 1h, allowed_sources: any}\n");
    }
    void TearDown() override { daemon_.reset(); }

    RunResult jr(std::vector<std::string> args) {
        args.insert(args.begin(), {"--socket", daemon_->socket_path()});
        return jit_request(args);
    }
    // The one grant `list --json` shows.
    json only_grant() {
        const auto r = jr({"list", "--json"});
        EXPECT_EQ(r.exit_code, 0) << describe(r);
        const json grants = json::parse(r.out);
        EXPECT_EQ(grants.size(), 1u) << r.out;
        return grants.empty() ? json::object() : grants[0];
    }
    static wire::SysSeconds time_of(const json& g, const char* key) {
        return wire::parse_iso8601(g.at(key).get<std::string>()).value_or(wire::SysSeconds{});
    }

    std::unique_ptr<DaemonFixture> daemon_;
};

TEST_F(UntilE2E, PlusTwoMinutesEndsTwoMinutesAfterTheRequest) {
    const auto before = wire::now_seconds();
    const auto r = jr({"open", "22", "--until", "+2m", "--from", TestAddrs::client4});
    const auto after = wire::now_seconds() + 1s;  // now_seconds floors
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("22/tcp from 198.51.100.2 for 2m"), std::string::npos) << r.out;
    const json g = only_grant();
    EXPECT_EQ(time_of(g, "end") - time_of(g, "start"), 120s) << g.dump();
    EXPECT_GE(time_of(g, "end"), before + 2min) << g.dump();
    EXPECT_LE(time_of(g, "end"), after + 2min) << g.dump();
}

TEST_F(UntilE2E, AnAbsoluteTimeWithAnOffsetIsTheEnd) {
    const auto target = wire::now_seconds() + 10min;
    // The same instant written in UTC+01:00.
    std::string text = wire::format_iso8601(target + 1h);
    text.replace(text.size() - 1, 1, "+01:00");
    const auto before = wire::now_seconds();
    const auto r = jr({"open", "22", "--until", text, "--from", TestAddrs::client4});
    const auto after = wire::now_seconds() + 1s;
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const json g = only_grant();
    // The client turns the end into a duration, so the daemon's later "now" may add the
    // seconds the run took, never more.
    EXPECT_GE(time_of(g, "end"), target) << text << " " << g.dump();
    EXPECT_LE(time_of(g, "end"), target + (after - before)) << text << " " << g.dump();
}

TEST_F(UntilE2E, RefusalsSayWhy) {
    auto r = jr({"open", "22", "--until", "+2m", "--for", "5m", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    EXPECT_NE(r.err.find("--for and --until exclude each other"), std::string::npos) << r.err;

    r = jr({"open", "22", "--until", "2020-01-01T00:00Z", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    EXPECT_NE(r.err.find("is in the past"), std::string::npos) << r.err;

    r = jr({"open", "22", "--until", "5pm", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    EXPECT_NE(r.err.find("'5pm' is not a time"), std::string::npos) << r.err;

    // Past the port's max_duration: the daemon's own refusal, as for --for.
    r = jr({"open", "22", "--until", "+2h", "--from", TestAddrs::client4});
    EXPECT_EQ(r.exit_code, 1) << describe(r);
    EXPECT_NE(r.err.find("duration_exceeds_max"), std::string::npos) << r.err;

    r = jr({"list", "--json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(json::parse(r.out).size(), 0u) << r.out;
}

}  // namespace
}  // namespace jitd::test
