// Runs the comment invariants over the seed corpus in every build (gcc has no libFuzzer).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/comment_checks.hpp"

namespace jitd::fuzz {
namespace {

namespace fs = std::filesystem;

TEST(CommentReplay, Seeds) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(JITD_FUZZ_CORPUS) / "comment")) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        EXPECT_EQ(check_comment_input(s.str()), "") << entry.path();
        ++n;
    }
    EXPECT_GE(n, 8);
}

}  // namespace
}  // namespace jitd::fuzz
