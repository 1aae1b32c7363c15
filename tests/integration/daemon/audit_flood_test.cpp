// Issue 11, finding 2: an account with no role floods the daemon with refused requests whose
// ids are 60,000 characters long. The journal gets a bounded number of bounded entries and a
// summary of what was held back, and a grant made in the middle of the flood is journaled.
#include <string>

#include "agent/daemon/audit_value.hpp"
#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using std::chrono::milliseconds;

class AuditFlood : public DaemonTest {};

constexpr int kFlood = 600;
constexpr int kBurst = 20;  // DenyLimiter's default: 20 at once, then one per second

TEST_F(AuditFlood, RefusalsOfOneUidAreBoundedAndSummarisedGrantsAreNot) {
    auto& d = start();
    const std::string uid = std::to_string(users().stranger.id.uid);
    const std::string huge_id = "g-" + std::string(60000, 'f');
    auto c = d.connect_as(users().stranger.id);
    std::string grant_id;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < kFlood; ++i) {
        if (i == kFlood / 2) {
            auto g = d.request(open_request(22, TestAddrs::client4, "10m"), users().requester.id);
            ASSERT_TRUE(is_ok(g));
            grant_id = g["grant"]["id"];
        }
        ASSERT_TRUE(c.send_raw(json{{"op", "revoke"}, {"id", huge_id}}.dump() + "\n"));
        auto line = c.read_line();
        ASSERT_TRUE(line) << "request " << i << " was not answered";
        ASSERT_TRUE(is_error(json::parse(*line, nullptr, false), "not_authorized")) << *line;
    }
    const auto elapsed_s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - t0)
            .count();

    // The grant in the middle of the flood is there.
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", grant_id}}))
        << "the grant made during the flood was not journaled";

    // Every refusal is accounted for: journaled one by one, or counted in a summary.
    std::size_t single = 0, summaries = 0;
    std::uint64_t summarised = 0;
    std::vector<json> entries;
    bool complete = poll_until(
        [&] {
            entries = journal_.entries({{"JITD_UID", uid}, {"JITD_EVENT", "deny"}});
            single = summaries = 0;
            summarised = 0;
            for (const auto& e : entries) {
                auto n = journal_field(e, "JITD_SUPPRESSED");
                if (n.empty()) {
                    ++single;
                } else {
                    ++summaries;
                    summarised += std::stoull(n);
                }
            }
            return single + summarised >= static_cast<std::uint64_t>(kFlood);
        },
        milliseconds(30000));
    EXPECT_TRUE(complete) << single << " journaled and " << summarised << " summarised of "
                          << kFlood;
    EXPECT_EQ(single + summarised, static_cast<std::uint64_t>(kFlood));
    EXPECT_GE(summaries, 1u);
    // A bucket of 20 that refills once a second (plus a little for the clocks' rounding).
    EXPECT_LE(single, static_cast<std::size_t>(kBurst + elapsed_s + 2))
        << "in " << elapsed_s << " s";

    std::size_t bytes = 0;
    for (const auto& e : entries) {
        for (const auto& [name, value] : e.items()) {
            const std::string v = journal_field(e, name);
            bytes += name.size() + v.size();
            EXPECT_LE(v.size(), agent::kMaxFieldValue) << name << " is " << v.size() << " bytes";
        }
        if (journal_field(e, "JITD_SUPPRESSED").empty()) {
            EXPECT_EQ(journal_field(e, "JITD_GRANT_ID"), "invalid");
            EXPECT_EQ(journal_field(e, "JITD_TRUNCATED"), "1");
            EXPECT_EQ(journal_field(e, "JITD_ERROR"), "not_authorized");
        } else {
            EXPECT_EQ(journal_field(e, "JITD_ERROR"), "suppressed");
            EXPECT_FALSE(journal_field(e, "JITD_WINDOW_START").empty());
            EXPECT_FALSE(journal_field(e, "JITD_WINDOW_END").empty());
        }
    }
    // 600 refusals with 60 KB ids were 36 MB; now a few kilobytes per entry at most.
    EXPECT_LT(bytes, entries.size() * 4096) << bytes << " bytes in " << entries.size();
    EXPECT_TRUE(d.running());
}

}  // namespace
}  // namespace jitd::test
