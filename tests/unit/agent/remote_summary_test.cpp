// The summary of dropped remote datagrams (agent/daemon/remote_summary.hpp) against a real
// (private) journald: one `dropped` entry with the total and a field per cause, nothing for no
// drops, and a valid journal field name for every cause there is.
#include <gtest/gtest.h>

#include <string>

#include "agent/daemon/remote_summary.hpp"
#include "tests/support/journal.hpp"

namespace jitd::agent {
namespace {

using test::journal_field;

bool valid_journal_field_name(const std::string& name) {
    if (name.empty() || name.size() > 64 || name[0] == '_' || (name[0] >= '0' && name[0] <= '9'))
        return false;
    for (const char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

TEST(RemoteSummary, EveryCauseHasAValidJournalFieldName) {
    RemoteCounters all;
    all.ssh.fill(1);
    all.spa.fill(1);
    all.intake.fill(1);
    all.sibling = all.wrong_port = 1;
    const auto causes = all.to_json();
    EXPECT_GE(causes.size(), all.spa.size() + all.intake.size() + 2);
    for (const auto& [cause, n] : causes.items())
        EXPECT_TRUE(valid_journal_field_name(dropped_cause_field(cause)))
            << cause << " -> " << dropped_cause_field(cause);
    EXPECT_EQ(dropped_cause_field("no_key_matched"), "JITD_DROPPED_NO_KEY_MATCHED");
}

TEST(RemoteSummary, OneEntryWithTheTotalAndEachCause) {
    test::Journal journal;
    RemoteCounters c;
    c.spa[static_cast<std::size_t>(remote::SpaRefusal::no_key_matched)] = 3;
    c.intake[static_cast<std::size_t>(nft::NflogError::truncated)] = 1;
    c.wrong_port = 2;
    const wire::SysSeconds start{std::chrono::seconds{1800000000}};
    ASSERT_TRUE(journal_remote_drops(c, start, start + std::chrono::minutes(1)));
    const auto e = journal.wait_for({{"JITD_EVENT", "dropped"}});
    ASSERT_TRUE(e) << journal.dump();
    EXPECT_EQ(journal_field(*e, "MESSAGE_ID"), audit_info(AuditKind::dropped).message_id);
    EXPECT_EQ(journal_field(*e, "JITD_CHANNEL"), "remote");
    EXPECT_EQ(journal_field(*e, "JITD_DROPPED"), "6");
    EXPECT_EQ(journal_field(*e, "JITD_DROPPED_NO_KEY_MATCHED"), "3");
    EXPECT_EQ(journal_field(*e, "JITD_DROPPED_TRUNCATED"), "1");
    EXPECT_EQ(journal_field(*e, "JITD_DROPPED_WRONG_PORT"), "2");
    EXPECT_EQ(journal_field(*e, "JITD_DROPPED_TOO_SHORT"), "");
    EXPECT_EQ(journal_field(*e, "JITD_WINDOW_START"), "2027-01-15T08:00:00Z");
    EXPECT_EQ(journal_field(*e, "JITD_WINDOW_END"), "2027-01-15T08:01:00Z");
    EXPECT_EQ(journal_field(*e, "MESSAGE"),
              "remote: 6 datagrams dropped without a decision since 2027-01-15T08:00:00Z: "
              "no_key_matched 3, truncated 1, wrong_port 2");
    EXPECT_EQ(journal_field(*e, "JITD_ERROR"), "");  // not a deny: no rate limit applies
}

TEST(RemoteSummary, NothingDroppedJournalsNothing) {
    test::Journal journal;
    const wire::SysSeconds t{std::chrono::seconds{1800000000}};
    EXPECT_TRUE(journal_remote_drops(RemoteCounters{}, t, t));
    // A marker written after it: once it is there, an entry written before it would be too.
    AuditEvent marker(AuditKind::start);
    marker.set("JITD_POLICY", "marker");
    ASSERT_TRUE(marker.commit());
    ASSERT_TRUE(journal.wait_for({{"JITD_POLICY", "marker"}})) << journal.dump();
    EXPECT_TRUE(journal.entries({{"JITD_EVENT", "dropped"}}).empty()) << journal.dump();
}

}  // namespace
}  // namespace jitd::agent
