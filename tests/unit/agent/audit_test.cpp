// AuditEvent against a real (private) journald: fields as PROTOCOL.md says, and an event that
// is never committed still reaches the journal as a deny.
#include <gtest/gtest.h>

#include "agent/daemon/audit.hpp"
#include "agent/daemon/grant_id.hpp"
#include "tests/support/journal.hpp"

namespace jitd::agent {
namespace {

using test::journal_field;

wire::Grant sample_grant() {
    wire::Grant g;
    g.id = new_grant_id();
    g.user = "alice";
    g.uid = 1001;
    g.port = 22;
    g.protocol = config::Protocol::tcp;
    g.source = "203.0.113.7/32";
    g.start = wire::SysSeconds{std::chrono::seconds{1800000000}};
    g.end = g.start + std::chrono::hours(1);
    g.reason = "ticket 4711";
    return g;
}

TEST(Audit, CommittedGrantCarriesEveryField) {
    test::Journal journal;
    wire::Grant g = sample_grant();
    AuditEvent ev(AuditKind::grant);
    ev.grant(g).message("alice granted tcp/22");
    ev.commit();
    auto e = journal.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", g.id}});
    ASSERT_TRUE(e) << journal.dump();
    EXPECT_EQ(journal_field(*e, "MESSAGE_ID"), audit_info(AuditKind::grant).message_id);
    EXPECT_EQ(journal_field(*e, "MESSAGE"), "alice granted tcp/22");
    EXPECT_EQ(journal_field(*e, "JITD_USER"), "alice");
    EXPECT_EQ(journal_field(*e, "JITD_UID"), "1001");
    EXPECT_EQ(journal_field(*e, "JITD_PORT"), "22");
    EXPECT_EQ(journal_field(*e, "JITD_PROTOCOL"), "tcp");
    EXPECT_EQ(journal_field(*e, "JITD_SOURCE"), "203.0.113.7/32");
    EXPECT_EQ(journal_field(*e, "JITD_START"), "2027-01-15T08:00:00Z");
    EXPECT_EQ(journal_field(*e, "JITD_END"), "2027-01-15T09:00:00Z");
    EXPECT_EQ(journal_field(*e, "JITD_REASON"), "ticket 4711");
}

// Control bytes are escaped before journaling (audit_value.hpp), so a newline arrives as \x0a.
TEST(Audit, CommitSaysWrittenAndAValueWithANewlineArrivesEscaped) {
    test::Journal journal;
    wire::Grant g = sample_grant();
    g.reason = "two\nlines";
    AuditEvent ev(AuditKind::grant);
    ev.grant(g);
    EXPECT_TRUE(ev.commit());
    EXPECT_TRUE(ev.commit()) << "a second commit journals nothing and says the same";
    auto e = journal.wait_for({{"JITD_GRANT_ID", g.id}});
    ASSERT_TRUE(e) << journal.dump();
    EXPECT_EQ(journal_field(*e, "JITD_REASON"), "two\\x0alines");
    EXPECT_EQ(journal.entries({{"JITD_GRANT_ID", g.id}}).size(), 1u);
}

TEST(Audit, DenyCarriesTheErrorCode) {
    test::Journal journal;
    std::string id = new_grant_id();
    AuditEvent ev(AuditKind::revoke);
    ev.user("bob", 1002).set("JITD_GRANT_ID", id);
    ev.deny(wire::ErrorCode::not_found, "no live grant " + id);
    auto e = journal.wait_for({{"JITD_GRANT_ID", id}});
    ASSERT_TRUE(e) << journal.dump();
    EXPECT_EQ(journal_field(*e, "JITD_EVENT"), "deny");
    EXPECT_EQ(journal_field(*e, "MESSAGE_ID"), audit_info(AuditKind::deny).message_id);
    EXPECT_EQ(journal_field(*e, "JITD_ERROR"), "not_found");
    EXPECT_EQ(journal_field(*e, "JITD_USER"), "bob");
}

TEST(Audit, AnAbandonedEventIsJournaledAsAnInternalDeny) {
    test::Journal journal;
    std::string id = new_grant_id();
    try {
        AuditEvent ev(AuditKind::grant);
        ev.user("carol", 1003).set("JITD_GRANT_ID", id);
        throw std::runtime_error("the kernel went away");
    } catch (const std::runtime_error&) {
    }
    auto e = journal.wait_for({{"JITD_GRANT_ID", id}});
    ASSERT_TRUE(e) << journal.dump();
    EXPECT_EQ(journal_field(*e, "JITD_EVENT"), "deny");
    EXPECT_EQ(journal_field(*e, "JITD_ERROR"), "internal");
    EXPECT_EQ(journal_field(*e, "JITD_INTENDED_EVENT"), "grant");
    EXPECT_EQ(journal_field(*e, "JITD_USER"), "carol");
    // Exactly once: the destructor does not repeat a committed event either.
    EXPECT_EQ(journal.entries({{"JITD_GRANT_ID", id}}).size(), 1u);
}

TEST(Audit, ACommittedEventIsWrittenOnce) {
    test::Journal journal;
    std::string id = new_grant_id();
    {
        AuditEvent ev(AuditKind::expire);
        ev.set("JITD_GRANT_ID", id);
        ev.commit();
        ev.commit();
    }
    ASSERT_TRUE(journal.wait_for({{"JITD_GRANT_ID", id}})) << journal.dump();
    // A later marker entry proves the journal has caught up before counting.
    std::string marker = new_grant_id();
    AuditEvent(AuditKind::expire).set("JITD_GRANT_ID", marker).commit();
    ASSERT_TRUE(journal.wait_for({{"JITD_GRANT_ID", marker}}));
    EXPECT_EQ(journal.entries({{"JITD_GRANT_ID", id}}).size(), 1u);
}

}  // namespace
}  // namespace jitd::agent
