// Runs the fuzz invariants over the seed corpus (and the shipped example) in every build, so the
// checks are exercised even where libFuzzer is not available (gcc).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "nft/monitor.hpp"
#include "tests/fuzz/comment_checks.hpp"
#include "tests/fuzz/config_checks.hpp"
#include "tests/fuzz/event_checks.hpp"

namespace jitd::fuzz {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Replays every file under `dir` through `check`; returns how many were replayed.
template <typename Check>
int replay(const fs::path& dir, Check check) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        EXPECT_EQ(check(slurp(entry.path())), "") << entry.path();
        ++n;
    }
    return n;
}

TEST(CorpusReplay, PolicySeeds) {
    EXPECT_GE(replay(fs::path(JITD_FUZZ_CORPUS) / "policy", check_policy_input), 10);
    EXPECT_EQ(check_policy_input(slurp(JITD_EXAMPLE_POLICY)), "");
}

TEST(CorpusReplay, ScalarSeeds) {
    EXPECT_GE(replay(fs::path(JITD_FUZZ_CORPUS) / "duration", check_scalar_input), 10);
}

TEST(CorpusReplay, CommentSeeds) {
    EXPECT_GE(replay(fs::path(JITD_FUZZ_CORPUS) / "comment", check_comment_input), 10);
}

TEST(CorpusReplay, EventSeeds) {
    EXPECT_GE(replay(fs::path(JITD_FUZZ_CORPUS) / "events", check_events_input), 10);
    EXPECT_EQ(check_events_input(""), "");
    EXPECT_EQ(check_events_input(std::string(64, '\xff')), "");
}

// The seeds were captured from the kernel: what the parser makes of a few of them.
nft::EventRead parsed_seed(const char* name) {
    const std::string bytes = slurp(fs::path(JITD_FUZZ_CORPUS) / "events" / name);
    std::vector<std::uint32_t> aligned(bytes.size() / 4 + 1);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    nft::EventRead r;
    nft::parse_events(aligned.data(), bytes.size(), r);
    return r;
}

TEST(EventSeeds, ParseToTheChangesNftMade) {
    auto pipapo = parsed_seed("add-element-pipapo");
    ASSERT_EQ(pipapo.bursts.size(), 1u);
    ASSERT_TRUE(pipapo.bursts[0].generation);
    EXPECT_EQ(pipapo.bursts[0].generation->comm, "nft");
    ASSERT_EQ(pipapo.bursts[0].events.size(), 1u);
    EXPECT_EQ(pipapo.bursts[0].events[0].str(),
              "added 1 element to set grant4_net: 198.51.100.0/30 . tcp . 22");

    auto flush = parsed_seed("flush-ruleset");
    ASSERT_EQ(flush.bursts.size(), 1u);
    bool table_deleted = false;
    for (const auto& e : flush.bursts[0].events)
        table_deleted |= e.object == nft::TableEvent::Object::table && !e.added;
    EXPECT_TRUE(table_deleted);

    EXPECT_TRUE(parsed_seed("other-table").bursts.empty()) << "not about table inet jitd";
    auto cut = parsed_seed("truncated-flush");
    EXPECT_TRUE(cut.bursts.empty() || !cut.bursts.back().generation) << "no NEWGEN survived";
}

// A valid policy and a refusal with a location are both sound outcomes; so is binary junk.
TEST(CorpusReplay, AcceptedAndRefusedInputsAreSound) {
    EXPECT_EQ(check_policy_input("ports: [{port: 22}]\n"), "");
    EXPECT_EQ(check_policy_input("ports: []\n"), "");  // refused with a location: fine
    EXPECT_EQ(check_policy_input(std::string("\0\xff[", 3)), "");
    EXPECT_EQ(check_scalar_input("1h30m"), "");
    EXPECT_EQ(check_scalar_input("10.0.0.0/8"), "");
    EXPECT_EQ(check_scalar_input("garbage"), "");
    EXPECT_EQ(check_comment_input("jitd:g-5f2c9a01b2c3:1001:1763900000"), "");
    EXPECT_EQ(check_comment_input(std::string("jitd:\0\xff", 7)), "");
}

}  // namespace
}  // namespace jitd::fuzz
