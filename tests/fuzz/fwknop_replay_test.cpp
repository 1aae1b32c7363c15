// Replays the fwknop seeds through the fuzz invariants in every build (gcc has no libFuzzer).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "remote/fwknop_spa.hpp"
#include "tests/fuzz/fwknop_checks.hpp"

namespace jitd::fuzz {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(FwknopCorpus, SeedsKeepTheInvariants) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(JITD_FUZZ_CORPUS) / "fwknop")) {
        EXPECT_EQ(check_fwknop_input(slurp(entry.path())), "") << entry.path();
        ++n;
    }
    EXPECT_GE(n, 10);
}

TEST(FwknopCorpus, PlaintextSeedsOfRealPacketsParse) {
    // Seeds reach the deep end of the parser: the captured plaintexts carry valid digests.
    for (const char* name : {"plain-v1", "plain-v2-timeout", "plain-d1", "plain-v3-sha512"}) {
        const auto d =
            remote::parse_spa_plaintext(slurp(fs::path(JITD_FUZZ_CORPUS) / "fwknop" / name));
        EXPECT_TRUE(d.message) << name;
    }
}

TEST(FwknopCorpus, OddInputs) {
    for (const std::string& s :
         {std::string(), std::string(1, '\0'), std::string(2000, ':'), std::string(1500, 'A'),
          std::string(140, '/'), std::string(":::::::")})
        EXPECT_EQ(check_fwknop_input(s), "");
}

}  // namespace
}  // namespace jitd::fuzz
