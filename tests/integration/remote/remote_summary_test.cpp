// The journal summary of unauthenticated remote datagrams: never one entry per datagram, one
// `dropped` entry per summary interval while they arrive (and one at stop for the rest), with
// the total and a count per cause; a journal that cannot take it loses no count.
#include <gtest/gtest.h>

#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "agent/audit_events.hpp"
#include "tests/integration/remote/remote_support.hpp"
#include "tests/support/journal.hpp"
#include "tests/support/journald_control.hpp"

namespace jitd::test {
namespace {

using namespace std::chrono_literals;

const JournalMatch kSummary{{"JITD_EVENT", "dropped"}};

class RemoteSummary : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (::geteuid() == 0) users_ = std::make_unique<TestUsers>();
    }
    static void TearDownTestSuite() { users_.reset(); }
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, nftables, test users)";
        keys_ = std::make_unique<KeysDir>();
        keys_->add(users_->requester.name);
    }
    void TearDown() override {
        daemon_.reset();
        keys_.reset();
    }
    void start(const std::string& interval_s) {
        const std::string policy =
            "ports:\n"
            "  - {port: 22, protocol: tcp, max_duration: 1h}\n" +
            users_->access_yaml() + "remote:\n  keys: " + keys_->path() + "\n";
        DaemonOptions opts;
        opts.extra_args = {"--remote-summary-interval", interval_s};
        daemon_ = std::make_unique<DaemonFixture>(policy, opts);
    }
    void send(const std::string& payload) {
        send_udp(daemon_->net().client(), TestAddrs::client4, TestAddrs::server4, 62201, payload);
    }
    // Four forged datagrams of three causes: two that no key authenticates (base64 of the
    // right length, without the "U2FsdGVkX1" the client strips), one that is not base64, one
    // too short to be a packet. Few, so that no rate limit in front of the receiver drops any.
    void send_forged() {
        send(std::string(200, 'A'));
        send(std::string(200, 'B'));
        send(std::string(200, '!'));
        send("AAAA");
    }
    long long counter(const std::string& cause) {
        return remote_status(*daemon_)
            .value("counters", nlohmann::json::object())
            .value(cause, 0LL);
    }
    bool all_counted() {
        return counter("no_key_matched") == 2 && counter("bad_alphabet") == 1 &&
               counter("too_short") == 1;
    }
    static long long number(const nlohmann::json& e, const std::string& field) {
        const std::string v = journal_field(e, field);
        return v.empty() ? -1 : std::stoll(v);
    }
    // What the summaries say together, by field.
    static long long sum(const std::vector<nlohmann::json>& entries, const std::string& field) {
        long long n = 0;
        for (const auto& e : entries) n += std::max(0LL, number(e, field));
        return n;
    }
    static void expect_well_formed(const nlohmann::json& e) {
        EXPECT_EQ(journal_field(e, "MESSAGE_ID"),
                  std::string(agent::audit_info(agent::AuditKind::dropped).message_id));
        EXPECT_EQ(journal_field(e, "JITD_CHANNEL"), "remote");
        EXPECT_EQ(journal_field(e, "PRIORITY"), "5");
        // The total is the sum of the causes present.
        EXPECT_EQ(number(e, "JITD_DROPPED"),
                  std::max(0LL, number(e, "JITD_DROPPED_NO_KEY_MATCHED")) +
                      std::max(0LL, number(e, "JITD_DROPPED_BAD_ALPHABET")) +
                      std::max(0LL, number(e, "JITD_DROPPED_TOO_SHORT")))
            << e.dump();
        EXPECT_LE(journal_field(e, "JITD_WINDOW_START"), journal_field(e, "JITD_WINDOW_END"));
        EXPECT_NE(journal_field(e, "MESSAGE").find("dropped without a decision"),
                  std::string::npos);
    }

    static std::unique_ptr<TestUsers> users_;
    std::unique_ptr<KeysDir> keys_;
    std::unique_ptr<DaemonFixture> daemon_;
};
std::unique_ptr<TestUsers> RemoteSummary::users_;

// An hour's interval: nothing is journaled while the datagrams arrive; the stop journals
// exactly one summary of all of them.
TEST_F(RemoteSummary, OneSummaryWithTheCountsByCause) {
    start("3600");
    Journal j;
    send_forged();
    ASSERT_TRUE(eventually([&] { return all_counted(); }, 30s))
        << remote_status(*daemon_).dump() << daemon_->log();
    EXPECT_EQ(remote_status(*daemon_).value("dropped", 0), 4);
    EXPECT_TRUE(j.entries(kSummary).empty()) << j.dump();
    EXPECT_TRUE(j.entries({{"JITD_CHANNEL", "remote"}}).empty()) << j.dump();

    ASSERT_EQ(daemon_->stop(), 0) << daemon_->log();
    // The last summary is written before the stop entry.
    ASSERT_TRUE(j.wait_for({{"JITD_EVENT", "stop"}}, 30s)) << j.dump();
    const auto summaries = j.entries(kSummary);
    ASSERT_EQ(summaries.size(), 1u) << j.dump();
    const auto& e = summaries.front();
    expect_well_formed(e);
    EXPECT_EQ(number(e, "JITD_DROPPED"), 4);
    EXPECT_EQ(number(e, "JITD_DROPPED_NO_KEY_MATCHED"), 2);
    EXPECT_EQ(number(e, "JITD_DROPPED_BAD_ALPHABET"), 1);
    EXPECT_EQ(number(e, "JITD_DROPPED_TOO_SHORT"), 1);
    EXPECT_EQ(journal_field(e, "JITD_DROPPED_SALTED_PREFIX"), "");  // causes not seen: absent
}

// A one-second interval: the summaries come while the daemon runs, and together count every
// datagram once; the stop adds none (nothing new since the last).
TEST_F(RemoteSummary, SummariesComeEveryIntervalWhileDatagramsArrive) {
    start("1");
    Journal j;
    send_forged();
    ASSERT_TRUE(eventually([&] { return all_counted(); }, 30s)) << daemon_->log();
    ASSERT_TRUE(eventually([&] { return sum(j.entries(kSummary), "JITD_DROPPED") >= 4; }, 30s))
        << j.dump();
    ASSERT_EQ(daemon_->stop(), 0) << daemon_->log();
    ASSERT_TRUE(j.wait_for({{"JITD_EVENT", "stop"}}, 30s)) << j.dump();
    const auto summaries = j.entries(kSummary);
    for (const auto& e : summaries) expect_well_formed(e);
    EXPECT_EQ(sum(summaries, "JITD_DROPPED"), 4) << j.dump();
    EXPECT_EQ(sum(summaries, "JITD_DROPPED_NO_KEY_MATCHED"), 2);
    EXPECT_EQ(sum(summaries, "JITD_DROPPED_BAD_ALPHABET"), 1);
    EXPECT_EQ(sum(summaries, "JITD_DROPPED_TOO_SHORT"), 1);
}

// journald gone: the daemon goes on answering, the summary it could not write is counted in
// audit_dropped, and its counts are in the first summary the new journald takes.
TEST_F(RemoteSummary, AJournalThatCannotTakeTheSummaryLosesNoCount) {
    start("1");
    Journal j;
    {
        JournaldStopped stopped;
        send_forged();
        ASSERT_TRUE(eventually([&] { return all_counted(); }, 30s)) << daemon_->log();
        ASSERT_TRUE(eventually(
            [&] {
                return daemon_->request({{"op", "status"}}).value("audit_dropped", 0) > 0;
            },
            30s))
            << daemon_->log();
    }
    ASSERT_TRUE(eventually([&] { return sum(j.entries(kSummary), "JITD_DROPPED") >= 4; }, 30s))
        << j.dump() << daemon_->log();
    ASSERT_EQ(daemon_->stop(), 0) << daemon_->log();
    ASSERT_TRUE(j.wait_for({{"JITD_EVENT", "stop"}}, 30s)) << j.dump();
    const auto summaries = j.entries(kSummary);
    EXPECT_EQ(sum(summaries, "JITD_DROPPED"), 4) << j.dump();
    EXPECT_EQ(sum(summaries, "JITD_DROPPED_NO_KEY_MATCHED"), 2);
}

}  // namespace
}  // namespace jitd::test
