// Engine::submit for revoke and extend over the in-memory kernel, and what the engine does
// when the kernel holds what the book does not (or lost what it holds): a key still there, a
// foreign exact duplicate or overlap, a table another tool deleted.
#include "tests/unit/agent/engine_harness.hpp"

namespace jitd::agent::testing {
namespace {

using nft::L4;

TEST(EngineRevoke, RemovesTheElementAndJournals) {
    EngineHarness h;
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7"));
    const auto r = h.revoke(kAlice, id);
    EXPECT_EQ(code(r), "ok");
    EXPECT_EQ(r["grant"]["id"], id);
    EXPECT_TRUE(h.kernel.list_elements().empty());
    EXPECT_EQ(h.engine().book().size(), 0u);
    ASSERT_EQ(h.events("revoke").size(), 1u);
    EXPECT_EQ(h.events("revoke")[0]["JITD_GRANT_ID"], id);
}

TEST(EngineRevoke, Refusals) {
    EngineHarness h;
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7"));
    EXPECT_EQ(code(h.revoke(kBob, id)), "not_authorized");
    EXPECT_EQ(code(h.revoke(kViewer, id)), "not_authorized");
    EXPECT_EQ(code(h.revoke(kAlice, "g-000000000000")), "not_found");
    h.kernel.fail(test::FakeKernel::Call::apply,
                  nft::Error(nft::Error::Kind::io, EIO, "nf_tables: injected"));
    EXPECT_EQ(code(h.revoke(kAlice, id)), "internal");
    EXPECT_NE(h.engine().book().find(id), nullptr) << "the grant is still in force";
    EXPECT_TRUE(h.kernel.find_element(key("203.0.113.7", L4::tcp, 22)));
    EXPECT_EQ(code(h.revoke(kRoot, id)), "ok") << "an admin revokes anyone's";
}

TEST(EngineRevoke, AnElementAnotherToolDeletedIsNoError) {
    EngineHarness h;
    const std::string id = id_of(h.open(kAlice, 5985, "203.0.113.7"));
    ASSERT_TRUE(h.kernel.foreign_remove(key("203.0.113.7", L4::udp, 5985)));
    EXPECT_EQ(code(h.revoke(kAlice, id)), "ok");
    EXPECT_TRUE(h.kernel.list_elements().empty());
}

TEST(EngineExtend, MovesTheEndInOneTransaction) {
    EngineHarness h;
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    h.clock.advance(5min);
    const std::size_t before = h.kernel.applied().size();
    const auto r = h.extend(kAlice, id, 30min);
    EXPECT_EQ(code(r), "ok");
    ASSERT_EQ(h.kernel.applied().size(), before + 1);
    EXPECT_EQ(h.kernel.applied().back().remove.size(), 1u);
    EXPECT_EQ(h.kernel.applied().back().add.size(), 1u);
    const auto e = h.kernel.find_element(key("203.0.113.7", L4::tcp, 22));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->timeout, 30min);
    const LiveGrant* g = h.engine().book().find(id);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->grant.end - g->grant.start, 35min);
    EXPECT_EQ(h.events("extend").size(), 1u);
}

TEST(EngineExtend, Refusals) {
    EngineHarness h;
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    EXPECT_EQ(code(h.extend(kBob, id, 10min)), "not_authorized");
    EXPECT_EQ(code(h.extend(kAlice, id, 2h)), "duration_exceeds_max");
    EXPECT_EQ(code(h.extend(kAlice, "g-000000000000", 10min)), "not_found");
    h.journal_up = false;
    EXPECT_EQ(code(h.extend(kAlice, id, 30min)), "audit_unavailable");
    const auto e = h.kernel.find_element(key("203.0.113.7", L4::tcp, 22));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->timeout, 10min) << "the old end is back in the kernel";
}

TEST(EngineExtend, MaxTotalDurationBoundsTheChain) {
    EngineHarness h(R"(
ports:
  - port: 22
    protocol: tcp
    max_duration: 1h
    max_total_duration: 90m
access:
  requesters:
    users: [daemon]
)");
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7", 1h));
    h.clock.advance(40min);
    EXPECT_EQ(code(h.extend(kAlice, id, 1h)), "duration_exceeds_max");
    EXPECT_EQ(code(h.extend(kAlice, id, 30min)), "ok");
}

// The kernel still holds the key of a grant the book no longer has: an ended grant's element
// that a restart found spent. The next open of that key replaces it.
TEST(EngineKeyStillThere, SpentElementFoundAtRestartIsReplaced) {
    EngineHarness h;
    const std::string old = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    h.clock.advance(10min - 250ms);  // the book's end; the kernel's is 250 ms later
    h.restart();
    EXPECT_EQ(h.engine().book().size(), 0u) << "spent, not rebuilt";
    ASSERT_TRUE(h.kernel.find_element(key("203.0.113.7", L4::tcp, 22)));
    EXPECT_TRUE(h.engine().kernel_differences().empty()) << "gone within a second";
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    const auto listed = h.kernel.list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_NE(listed[0].comment.find(id), std::string::npos);
    EXPECT_EQ(listed[0].timeout, 10min);
    EXPECT_TRUE(h.kernel.applied().back().replace);
}

TEST(EngineKeyStillThere, ForeignExactDuplicateIsReplacedOverlapIsRefused) {
    EngineHarness h;
    h.kernel.foreign_add({key("203.0.113.7", L4::tcp, 22), 1h, "another tool"}, 1h);
    const std::string id = id_of(h.open(kAlice, 22, "203.0.113.7"));
    const auto e = h.kernel.list_elements();
    ASSERT_EQ(e.size(), 1u);
    EXPECT_NE(e[0].comment.find(id), std::string::npos);

    h.kernel.foreign_add({key("10.0.0.0/16", L4::tcp, 3389), 1h, "another tool"}, 1h);
    const auto r = h.open(kAlice, 3389, "10.0.1.0/24");
    EXPECT_EQ(code(r), "internal");
    EXPECT_NE(r["error"]["message"].get<std::string>().find("overlaps"), std::string::npos);
    EXPECT_TRUE(h.kernel.find_element(key("10.0.0.0/16", L4::tcp, 3389))) << "left alone";
    EXPECT_EQ(h.engine().book().size(), 1u);
}

TEST(EngineKeyStillThere, TableDeletedBehindTheEnginesBackIsRestoredFirst) {
    EngineHarness h;
    const std::string first = id_of(h.open(kAlice, 22, "203.0.113.7"));
    h.kernel.foreign_delete_table();
    const std::string second = id_of(h.open(kBob, 22, "198.51.100.4"));
    EXPECT_TRUE(h.kernel.table_exists());
    EXPECT_EQ(h.kernel.restores(), 1);
    EXPECT_TRUE(h.kernel.find_element(key("203.0.113.7", L4::tcp, 22))) << first << " is back";
    EXPECT_TRUE(h.kernel.find_element(key("198.51.100.4", L4::tcp, 22))) << second;
}

}  // namespace
}  // namespace jitd::agent::testing
