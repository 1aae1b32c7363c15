// Reading jitd's audit entries back from the (private) journal, as an operator would:
// `journalctl -o json --no-pager -t jitd FIELD=value...`, spawned without a shell, one JSON
// object per line. journald stores entries asynchronously and sd_journal_send() succeeds even
// when nobody listens, so tests never assume an entry is there: they POLL with wait_for().
// Only meaningful inside a test registered with JOURNALD (tests/support/with-journald).
//
//   Journal j;  // sees only entries written after this point (by __REALTIME_TIMESTAMP)
//   ... act ...
//   auto e = j.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", id}});
//   ASSERT_TRUE(e) << j.dump();
//   EXPECT_EQ(journal_field(*e, "JITD_PORT"), "22");
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace jitd::test {

using JournalMatch = std::map<std::string, std::string>;  // FIELD -> exact value (ANDed)

class Journal {
  public:
    // `since_now`: only entries stamped at or after construction; false: the whole journal.
    explicit Journal(bool since_now = true);

    // Entries of SYSLOG_IDENTIFIER=jitd matching all of `match`, oldest first.
    std::vector<nlohmann::json> entries(const JournalMatch& match = {}) const;
    // Polls until an entry matching `match` exists; returns the first one, or nullopt.
    std::optional<nlohmann::json> wait_for(
        const JournalMatch& match, std::chrono::milliseconds limit = std::chrono::seconds(5)) const;
    // Polls until at least `n` entries match; returns them (fewer on time-out).
    std::vector<nlohmann::json> wait_for_count(
        const JournalMatch& match, std::size_t n,
        std::chrono::milliseconds limit = std::chrono::seconds(5)) const;
    // Every jitd entry since the mark, one line each (for failure messages).
    std::string dump() const;

  private:
    std::uint64_t since_usec_ = 0;
};

// A field's value as text ("" when absent). journalctl writes non-UTF-8 values as byte
// arrays and repeated fields as arrays; both are handled.
std::string journal_field(const nlohmann::json& entry, const std::string& name);

// Free-standing form of Journal(false).wait_for(): the whole journal.
std::optional<nlohmann::json> wait_for_entry(
    const JournalMatch& match, std::chrono::milliseconds limit = std::chrono::seconds(5));

}  // namespace jitd::test
