// parse_until's fuzz invariants over its seeds (tests/fuzz/corpus/until), in every test run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/until_checks.hpp"

namespace jitd::fuzz {
namespace {

namespace fs = std::filesystem;

TEST(UntilCorpus, EverySeedKeepsTheInvariants) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(JITD_FUZZ_CORPUS) / "until")) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        EXPECT_EQ(check_until_input(s.str()), "") << entry.path();
        ++n;
    }
    EXPECT_GE(n, 10);
    EXPECT_EQ(check_until_input(""), "");
    EXPECT_EQ(check_until_input(std::string(300, '9')), "");
}

// The checks catch what they are for: an accepted seed is checked, not only survived.
TEST(UntilCorpus, SeedsReachTheAcceptingPaths) {
    EXPECT_EQ(check_until_input("+90m"), "");
    EXPECT_EQ(check_until_input("17:00"), "");
    EXPECT_EQ(check_until_input("02:30"), "");  // skipped by the zone's change: refused
    EXPECT_EQ(check_until_input("2026-03-29T17:00+02:00"), "");
}

}  // namespace
}  // namespace jitd::fuzz
