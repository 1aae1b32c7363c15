// max_total_duration: extends and supersedes keep one door open at most that long, counted from
// the start of the first grant of the chain, and the chain's start survives a restart (it is
// in the kernel element's comment).
#include <string>

#include "agent/wire/timefmt.hpp"
#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

class MaxTotal : public DaemonTest {
  protected:
    // The default policy with port 22 bounded to 1h in total (its max_duration is 1h too).
    std::string bounded_policy() {
        std::string p = default_policy();
        const std::string at = "    max_duration: 1h\n";
        p.insert(p.find(at) + at.size(), "    max_total_duration: 1h\n");
        return p;
    }
    json extend(const std::string& id, const std::string& d) {
        return daemon().request({{"op", "extend"}, {"id", id}, {"duration", d}},
                                users().requester.id);
    }
    static ::testing::AssertionResult past_bound(const json& r) {
        auto e = is_error(r, "duration_exceeds_max");
        if (!e) return e;
        const std::string m = r["error"]["message"];
        if (m.find("max_total_duration of 1h") == std::string::npos)
            return ::testing::AssertionFailure() << "the message must name the bound: " << m;
        return ::testing::AssertionSuccess();
    }
};

TEST_F(MaxTotal, ExtendsAndSupersedesStopAtTheBoundAlsoAfterARestart) {
    auto& d = start(bounded_policy());
    TcpEchoServer ssh(d.net().server(), 22);
    // A grant that began 50 minutes ago, as a jitd before the restart made it.
    d.stop(SIGTERM);
    const auto began = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) -
                       std::chrono::minutes(50);
    const std::string id = "g-00000000abcd";
    const std::string comment = "jitd:" + id + ":" + users().requester.name + ":" +
                                std::to_string(began.time_since_epoch().count());
    run_ok(d.net().server().exec(
        {"nft", "add element inet jitd grant4_host { " + std::string(TestAddrs::client4) +
                    " . tcp . 22 timeout 10m comment \"" + comment + "\" }"}));
    d.start();
    auto listed = find_grant(d.request({{"op", "list"}}), id);
    ASSERT_TRUE(listed) << d.request({{"op", "list"}}).dump();
    ASSERT_EQ(grant_time(*listed, "start"), began);

    EXPECT_TRUE(past_bound(extend(id, "30m"))) << "50m + 30m is past the 1h bound";
    EXPECT_TRUE(is_ok(extend(id, "5m")));

    EXPECT_TRUE(
        past_bound(d.request(open_request(22, TestAddrs::client4, "30m"), users().requester.id)))
        << "a supersede continues the superseded grant's chain";
    auto sup = d.request(open_request(22, TestAddrs::client4, "5m"), users().requester.id);
    ASSERT_TRUE(is_ok(sup));
    EXPECT_EQ(sup.value("superseded", ""), id);
    const std::string next = sup["grant"]["id"];
    EXPECT_NE(d.ruleset().find(":" + std::to_string(began.time_since_epoch().count()) + "\""),
              std::string::npos)
        << "the chain's start is in the element's comment: " << d.ruleset();

    d.restart();
    EXPECT_TRUE(past_bound(extend(next, "30m"))) << "the chain's start survives a restart";
    EXPECT_TRUE(is_ok(extend(next, "5m")));
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22)) << "the grant itself still works";
}

// Without max_total_duration the same extends are fine.
TEST_F(MaxTotal, NoBoundWithoutTheKey) {
    auto& d = start();
    auto r = d.request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
    ASSERT_TRUE(is_ok(r));
    EXPECT_TRUE(is_ok(extend(r["grant"]["id"], "1h")));
    auto s = d.request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
    EXPECT_TRUE(is_ok(s));
}

}  // namespace
}  // namespace jitd::test
