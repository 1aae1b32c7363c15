// Engine::submit for `open` over the in-memory kernel: what reaches the kernel and the journal,
// supersedes, and every refusal code an open can return.
#include "tests/unit/agent/engine_harness.hpp"

namespace jitd::agent::testing {
namespace {

using nft::L4;

TEST(EngineOpen, GrantsPutsTheElementInTheKernelAndJournalsIt) {
    EngineHarness h;
    const auto r = h.open(kAlice, 22, "203.0.113.7", 10min, "ticket 1");
    const std::string id = id_of(r);
    EXPECT_EQ(r["grant"]["source"], "203.0.113.7/32");
    auto e = h.kernel.find_element(key("203.0.113.7", L4::tcp, 22));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->timeout, 10min);
    const auto listed = h.kernel.list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_NE(listed[0].comment.find(id), std::string::npos) << listed[0].comment;
    ASSERT_EQ(h.events("grant").size(), 1u);
    EXPECT_EQ(h.events("grant")[0]["JITD_GRANT_ID"], id);
    EXPECT_EQ(h.events("grant")[0]["JITD_CHANNEL"], "socket");
    ASSERT_NE(h.engine().book().find(id), nullptr);
}

TEST(EngineOpen, AnyProtocolPutsBothElementsInOneTransaction) {
    EngineHarness h;
    const std::size_t before = h.kernel.applied().size();
    id_of(h.open(kAlice, 5985, "2001:db8::/48"));
    ASSERT_EQ(h.kernel.applied().size(), before + 1);
    EXPECT_EQ(h.kernel.applied().back().add.size(), 2u);
    EXPECT_TRUE(h.kernel.find_element(key("2001:db8::/48", L4::tcp, 5985)));
    EXPECT_TRUE(h.kernel.find_element(key("2001:db8::/48", L4::udp, 5985)));
}

TEST(EngineOpen, SupersedeReplacesTheElementInOneTransaction) {
    EngineHarness h;
    const std::string first = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    const std::size_t before = h.kernel.applied().size();
    const auto r = h.open(kAlice, 22, "203.0.113.7", 30min);
    const std::string second = id_of(r);
    EXPECT_EQ(r["superseded"], first);
    ASSERT_EQ(h.kernel.applied().size(), before + 1);
    const nft::Change& c = h.kernel.applied().back();
    EXPECT_EQ(c.remove.size(), 1u);
    EXPECT_EQ(c.add.size(), 1u);
    EXPECT_EQ(h.engine().book().size(), 1u);
    EXPECT_EQ(h.engine().book().find(first), nullptr);
    const auto listed = h.kernel.list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_NE(listed[0].comment.find(second), std::string::npos);
    EXPECT_EQ(listed[0].timeout, 30min);
    ASSERT_EQ(h.events("supersede").size(), 1u);
    EXPECT_EQ(h.events("supersede")[0]["JITD_GRANT_ID"], first);
}

TEST(EngineOpen, RefusalsOfThePolicy) {
    EngineHarness h;
    EXPECT_EQ(code(h.open(kViewer, 22, "203.0.113.7")), "not_authorized");
    EXPECT_EQ(code(h.open(kStranger, 22, "203.0.113.7")), "not_authorized");
    EXPECT_EQ(code(h.open(kAlice, 23, "203.0.113.7")), "port_not_protected");
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7", 10min, "", config::Protocol::udp)),
              "port_not_protected");
    EXPECT_EQ(code(h.open(kAlice, 22, "not-an-address")), "invalid_source");
    EXPECT_EQ(code(h.open(kAlice, 22, "169.254.1.1")), "invalid_source");     // link-local
    EXPECT_EQ(code(h.open(kAlice, 22, "10.0.0.0/8")), "source_not_allowed");  // wider than /16
    EXPECT_EQ(code(h.open(kAlice, 3389, "192.0.2.1")), "source_not_allowed");
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7", 2h)), "duration_exceeds_max");
    EXPECT_TRUE(h.kernel.list_elements().empty()) << "no refusal reached the kernel";
    EXPECT_EQ(h.events("deny").size(), 9u);
    for (const auto& d : h.events("deny")) EXPECT_FALSE(d.at("JITD_ERROR").empty());
}

TEST(EngineOpen, ReasonRequired) {
    EngineHarness h(std::string(kPolicy) + "require_reason: true\n");
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7")), "reason_required");
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7", 10min, "ticket 7")), "ok");
}

TEST(EngineOpen, LimitReachedCountsTheUsersLiveGrants) {
    EngineHarness h;  // max_grants_per_user: 3
    for (const char* s : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) id_of(h.open(kAlice, 22, s));
    EXPECT_EQ(code(h.open(kAlice, 22, "192.0.2.4")), "limit_reached");
    EXPECT_EQ(code(h.open(kBob, 22, "192.0.2.4")), "ok") << "the limit is per user";
    // A supersede replaces, it does not add.
    EXPECT_EQ(code(h.open(kAlice, 22, "192.0.2.1", 20min)), "ok");
    EXPECT_EQ(h.engine().book().size(), 4u);
}

TEST(EngineOpen, OverlapsAnotherUsersGrant) {
    EngineHarness h;
    id_of(h.open(kAlice, 22, "198.51.100.0/24"));
    EXPECT_EQ(code(h.open(kBob, 22, "198.51.100.0/25")), "overlaps_grant");
    EXPECT_EQ(code(h.open(kBob, 22, "198.51.100.0/24")), "overlaps_grant");
    EXPECT_EQ(code(h.open(kBob, 22, "198.51.100.9")), "ok") << "a host has its own set";
}

TEST(EngineOpen, UnjournaledOpenIsUndoneAndRefused) {
    EngineHarness h;
    const std::string old = id_of(h.open(kAlice, 22, "203.0.113.7", 10min));
    h.journal_up = false;
    EXPECT_EQ(code(h.open(kAlice, 22, "198.51.100.1")), "audit_unavailable");
    EXPECT_FALSE(h.kernel.find_element(key("198.51.100.1", L4::tcp, 22)));
    // A refused supersede puts the old element back.
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7", 30min)), "audit_unavailable");
    const auto listed = h.kernel.list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_NE(listed[0].comment.find(old), std::string::npos);
    EXPECT_EQ(h.engine().book().size(), 1u);
    EXPECT_NE(h.engine().book().find(old), nullptr);
}

TEST(EngineOpen, KernelRefusalIsInternalAndChangesNothing) {
    EngineHarness h;
    h.kernel.fail(test::FakeKernel::Call::apply,
                  nft::Error(nft::Error::Kind::kernel, EPERM, "kernel refused: injected"));
    const auto r = h.open(kAlice, 22, "203.0.113.7");
    EXPECT_EQ(code(r), "internal");
    EXPECT_NE(r["error"]["message"].get<std::string>().find("injected"), std::string::npos);
    EXPECT_EQ(h.engine().book().size(), 0u);
    ASSERT_EQ(h.events("deny").size(), 1u);
    EXPECT_EQ(h.events("deny")[0]["JITD_ERROR"], "internal");
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7")), "ok") << "only that one failed";
}

TEST(EngineOpen, BadRequestLineIsRefusedAndJournaled) {
    EngineHarness h;
    const auto r = json::parse(h.engine().handle(kAlice, "{\"op\":\"open\",\"port\":\"x\"}"));
    EXPECT_EQ(code(r), "bad_request");
    ASSERT_EQ(h.events("deny").size(), 1u);
    EXPECT_EQ(h.events("deny")[0]["JITD_ERROR"], "bad_request");
}

}  // namespace
}  // namespace jitd::agent::testing
