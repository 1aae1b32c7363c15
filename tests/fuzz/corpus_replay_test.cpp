// Runs the fuzz invariants over the seed corpus (and the shipped example) in every build, so the
// checks are exercised even where libFuzzer is not available (gcc).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/comment_checks.hpp"
#include "tests/fuzz/config_checks.hpp"

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
