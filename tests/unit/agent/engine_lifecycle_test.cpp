// The Engine over time and restarts, on the in-memory kernel and a fake clock: expiry confirmed
// with the kernel, the rebuild of a restarted daemon, reload revocations, clock steps, and the
// comparison and restore after another tool changed the table.
#include "tests/unit/agent/engine_harness.hpp"

namespace jitd::agent::testing {
namespace {

using nft::L4;

TEST(EngineExpiry, ExpiresOnceTheKernelDroppedTheElement) {
    EngineHarness h;  // the wall clock is at x.250 s: the kernel ends 250 ms after the book
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    h.clock.advance(10min - 250ms - 1s);
    EXPECT_EQ(h.engine().expire_due(), 0u);
    h.clock.advance(1s);  // the book's end
    EXPECT_EQ(h.engine().expire_due(), 0u) << "the kernel still holds it for 250 ms";
    EXPECT_NE(h.engine().book().find(id), nullptr);
    const auto next = h.engine().next_deadline();
    ASSERT_TRUE(next);
    EXPECT_GT(*next, h.clock.monotonic);
    EXPECT_LE(*next, h.clock.monotonic + 251ms);
    h.clock.monotonic = *next;
    EXPECT_EQ(h.engine().expire_due(), 1u);
    EXPECT_EQ(h.engine().book().size(), 0u);
    ASSERT_EQ(h.events("expire").size(), 1u);
    EXPECT_EQ(h.events("expire")[0]["JITD_GRANT_ID"], id);
    // The same key opens again at once: nothing of the old grant is in the way.
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7")), "ok");
}

TEST(EngineExpiry, ElementDeletedEarlyExpiresAtTheEnd) {
    EngineHarness h;
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    h.kernel.foreign_remove(key("203.0.113.7", L4::tcp, 22));
    h.clock.advance(5min);
    EXPECT_EQ(h.engine().expire_due(), 0u) << "not due yet";
    h.clock.advance(5min);
    EXPECT_EQ(h.engine().expire_due(), 1u);
}

TEST(EngineExpiry, UnconfirmedIsNotExpired) {
    EngineHarness h;
    id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    h.clock.advance(11min);
    h.kernel.fail(test::FakeKernel::Call::find,
                  nft::Error(nft::Error::Kind::io, EIO, "nf_tables: injected"));
    EXPECT_EQ(h.engine().expire_due(), 0u);
    EXPECT_EQ(h.engine().book().size(), 1u);
    h.clock.advance(1s);
    EXPECT_EQ(h.engine().expire_due(), 1u);
}

TEST(EngineRestart, ASecondEngineRebuildsTheBookFromTheKernel) {
    EngineHarness h;
    const std::string a = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    const std::string b = id_of(h.open(kBob, 5985, "2001:db8::/48", 2h));
    const auto before_a = h.engine().book().find(a)->grant;
    const auto before_b = h.engine().book().find(b)->grant;
    h.clock.advance(1min);
    h.restart();
    ASSERT_EQ(h.engine().book().size(), 2u);
    for (const auto& before : {before_a, before_b}) {
        const LiveGrant* g = h.engine().book().find(before.id);
        ASSERT_NE(g, nullptr) << before.id;
        EXPECT_EQ(g->grant.user, before.user);
        EXPECT_EQ(g->grant.uid, before.uid);
        EXPECT_EQ(g->grant.source, before.source);
        EXPECT_EQ(g->grant.protocol, before.protocol);
        EXPECT_EQ(g->grant.start, before.start);
        EXPECT_EQ(g->grant.end, before.end);
    }
    EXPECT_TRUE(h.engine().kernel_differences().empty());
    EXPECT_EQ(code(h.revoke(kAlice, a)), "ok") << "a rebuilt grant is revocable";
}

TEST(EngineRestart, UnreadableElementsOfOursAreRemovedOthersKept) {
    EngineHarness h;
    h.kernel.foreign_add({key("192.0.2.1", L4::tcp, 22), 1h, "jitd:garbage"}, 1h);
    h.kernel.foreign_add({key("192.0.2.2", L4::tcp, 22), 1h, "someone else's"}, 1h);
    h.restart();
    EXPECT_FALSE(h.kernel.find_element(key("192.0.2.1", L4::tcp, 22)));
    EXPECT_TRUE(h.kernel.find_element(key("192.0.2.2", L4::tcp, 22)));
    EXPECT_EQ(h.engine().book().size(), 0u);
}

TEST(EngineReload, RevokesWhatTheNewPolicyNoLongerAllows) {
    EngineHarness h;
    const std::string keep = id_of(h.open(kAlice, 22, "203.0.113.7"));
    const std::string gone = id_of(h.open(kAlice, 3389, "10.1.2.3"));
    const std::string owner_gone = id_of(h.open(kBob, 22, "198.51.100.7"));
    h.write_policy(R"(
ports:
  - port: 22
    protocol: tcp
    max_duration: 1h
access:
  requesters:
    users: [daemon]
)");
    const ReloadOutcome out = h.engine().reload("root", 0);
    EXPECT_FALSE(out.refusal);
    EXPECT_EQ(std::set<std::string>(out.revoked.begin(), out.revoked.end()),
              (std::set<std::string>{gone, owner_gone}));
    EXPECT_NE(h.engine().book().find(keep), nullptr);
    EXPECT_FALSE(h.kernel.find_element(key("10.1.2.3", L4::tcp, 3389)));
    EXPECT_FALSE(h.kernel.find_element(key("198.51.100.7", L4::tcp, 22)));
    EXPECT_TRUE(h.kernel.find_element(key("203.0.113.7", L4::tcp, 22)));
    EXPECT_EQ(h.kernel.spec().protected_ports.size(), 1u) << "the new ruleset is installed";
    EXPECT_EQ(h.events("revoke").size(), 2u);
    EXPECT_EQ(h.events("reload").size(), 1u);
}

TEST(EngineReload, RefusalsKeepTheOldPolicy) {
    EngineHarness h;
    h.write_policy("ports: [oops\n");
    Request r;
    r.op = Op::reload;
    EXPECT_EQ(code(h.submit(kRoot, r)), "policy_invalid");
    EXPECT_EQ(code(h.submit(kAlice, r)), "not_authorized");
    h.write_policy(kPolicy);
    h.kernel.fail(test::FakeKernel::Call::install,
                  nft::Error(nft::Error::Kind::kernel, EINVAL, "kernel refused set: injected"));
    EXPECT_EQ(code(h.submit(kRoot, r)), "internal");
    EXPECT_EQ(h.engine().policy().ports.size(), 3u);
    EXPECT_EQ(code(h.submit(kRoot, r)), "ok");
}

TEST(EngineClocks, AWallClockStepReTimesTheBookFromTheKernel) {
    EngineHarness h;
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    const auto end = h.engine().book().find(id)->grant.end;
    h.clock.step_wall(1h);
    h.engine().check_clocks();
    EXPECT_EQ(h.engine().book().find(id)->grant.end, end + 1h);
    h.clock.advance(10min + 1s);  // expiry follows the monotonic clock, as the kernel's does
    EXPECT_EQ(h.engine().expire_due(), 1u);
}

TEST(EngineTable, DifferencesAndRestoreAfterAnotherToolChangedIt) {
    EngineHarness h;
    const std::string id = id_of(h.open(kAlice, 5985, "203.0.113.7"));
    EXPECT_TRUE(h.engine().kernel_differences().empty());
    h.kernel.foreign_remove(key("203.0.113.7", L4::udp, 5985));
    h.kernel.foreign_add({key("192.0.2.50", L4::tcp, 22), 1h, "someone"}, 1h);
    h.kernel.foreign_delete_rule();
    const auto diffs = h.engine().kernel_differences();
    EXPECT_EQ(diffs.size(), 3u) << ::testing::PrintToString(diffs);
    const RestoreOutcome out = h.engine().restore_table();
    EXPECT_EQ(out.grants, 1u);
    EXPECT_EQ(out.elements, 2u);
    EXPECT_TRUE(h.engine().kernel_differences().empty());
    EXPECT_FALSE(h.kernel.find_element(key("192.0.2.50", L4::tcp, 22)));
    h.kernel.foreign_delete_table();
    EXPECT_EQ(h.engine().kernel_differences(),
              std::vector<std::string>{"table inet jitd is missing"});
    h.engine().restore_table();
    EXPECT_TRUE(h.engine().kernel_differences().empty());
    EXPECT_NE(h.engine().book().find(id), nullptr);
}

TEST(EngineStatus, ListAndStatusForViewers) {
    EngineHarness h;
    id_of(h.open(kAlice, 22, "203.0.113.7"));
    h.kernel.set_foreign_drop_chains({"inet filter input"});
    Request list;
    list.op = Op::list;
    const auto l = h.submit(kViewer, list);
    ASSERT_EQ(code(l), "ok");
    EXPECT_EQ(l["grants"].size(), 1u);
    EXPECT_EQ(code(h.submit(kStranger, list)), "not_authorized");
    Request status;
    status.op = Op::status;
    const auto s = h.submit(kViewer, status);
    ASSERT_EQ(code(s), "ok");
    EXPECT_EQ(s["grants"], 1);
    EXPECT_EQ(s["other_input_drop_chains"], json::array({"inet filter input"}));
}

}  // namespace
}  // namespace jitd::agent::testing
