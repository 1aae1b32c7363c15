// The audit is fail-safe: a change that opens access is made only when its record is written
// (else refused with audit_unavailable, the kernel change rolled back); closing changes are
// best effort and counted; a stalled journald never blocks the daemon's loop.
#include <string>

#include "tests/integration/daemon/daemon_test.hpp"
#include "tests/support/journald_control.hpp"

namespace jitd::test {
namespace {

using std::chrono::seconds;

class AuditFailsafe : public DaemonTest {
  protected:
    bool kernel_holds(const std::string& source) {
        return daemon().ruleset().find(source + " . tcp . 22") != std::string::npos;
    }
};

TEST_F(AuditFailsafe, JournaldStoppedRefusesWhatOpensAndKeepsWhatCloses) {
    auto& d = start();
    const auto& who = users().requester.id;
    auto before = d.request(open_request(22, TestAddrs::client4b, "1h"), who);
    ASSERT_TRUE(is_ok(before)) << before;
    const std::string id = before["grant"]["id"];
    const std::string end = before["grant"]["end"];
    auto kept = d.request(open_request(22, TestAddrs::client4, "1h"), who);
    ASSERT_TRUE(is_ok(kept)) << kept;

    JournaldStopped stopped;
    auto r = d.request(open_request(22, "198.51.100.9", "1h"), who);
    EXPECT_TRUE(is_error(r, "audit_unavailable")) << r;
    EXPECT_FALSE(kernel_holds("198.51.100.9")) << d.ruleset();

    // Superseding opens a new door: refused, the old grant is back in the kernel unchanged.
    r = d.request(open_request(22, TestAddrs::client4b, "1h"), who);
    EXPECT_TRUE(is_error(r, "audit_unavailable")) << r;
    EXPECT_TRUE(kernel_holds(TestAddrs::client4b));
    // An extend too: the old end stays.
    r = d.request({{"op", "extend"}, {"id", id}, {"duration", "30m"}}, who);
    EXPECT_TRUE(is_error(r, "audit_unavailable")) << r;
    auto list = d.request({{"op", "list"}});
    ASSERT_EQ(listed_ids(list).size(), 2u) << list;
    auto g = find_grant(list, id);
    ASSERT_TRUE(g);
    EXPECT_EQ((*g)["end"], end);

    // A revoke closes a door: done without its record, and counted.
    r = d.request({{"op", "revoke"}, {"id", kept["grant"]["id"]}}, who);
    EXPECT_TRUE(is_ok(r)) << r;
    EXPECT_FALSE(kernel_holds(TestAddrs::client4));
    auto status = d.request({{"op", "status"}});
    ASSERT_TRUE(is_ok(status));
    EXPECT_GE(status["audit_dropped"].get<int>(), 4) << status;  // 3 denies, 1 revoke

    stopped.restart();
    r = d.request(open_request(22, "198.51.100.9", "1h"), who);
    ASSERT_TRUE(is_ok(r)) << r;
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", r["grant"]["id"]}}))
        << journal_.dump();
}

TEST_F(AuditFailsafe, JournaldStalledNeverBlocksTheLoop) {
    auto& d = start();
    const auto& who = users().requester.id;
    std::vector<std::string> granted;
    bool refused = false;
    {
        JournaldStalled stall;
        auto first = d.request(open_request(22, TestAddrs::client4, "1h"), who);
        ASSERT_TRUE(is_ok(first)) << first;  // the socket queue still has room
        granted.push_back(first["grant"]["id"]);
        // Every refused request is a deny record: enough of them fill journald's queue.
        auto c = d.connect();
        for (int i = 0; i < 2000 && !refused; ++i) {
            auto deny = c.request({{"op", "no-such-op"}});
            ASSERT_TRUE(is_error(deny, "bad_request")) << deny;
            if (i % 20 == 0) {
                // Another client is answered while journald does not read.
                ASSERT_TRUE(is_ok(d.request({{"op", "status"}}))) << "request " << i;
                auto open = d.request(open_request(22, TestAddrs::client4b, "1h"), who);
                if (is_ok(open)) {
                    d.request({{"op", "revoke"}, {"id", open["grant"]["id"]}}, who);
                    granted.push_back(open["grant"]["id"]);
                } else {
                    ASSERT_TRUE(is_error(open, "audit_unavailable")) << open;
                    EXPECT_FALSE(kernel_holds(TestAddrs::client4b)) << d.ruleset();
                    refused = true;
                }
            }
        }
        EXPECT_TRUE(refused) << "journald's queue never filled";
        auto status = d.request({{"op", "status"}});
        ASSERT_TRUE(is_ok(status));
        EXPECT_GT(status["audit_dropped"].get<int>(), 0) << status;
    }
    // Resumed: every grant that was answered arrives.
    for (const auto& id : granted)
        EXPECT_TRUE(
            journal_.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", id}}, seconds(10)))
            << id << "\n"
            << journal_.dump();
}

}  // namespace
}  // namespace jitd::test
