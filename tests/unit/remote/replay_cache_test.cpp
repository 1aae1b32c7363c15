#include "remote/replay_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/process.hpp"
#include "tests/unit/remote/temp_dir.hpp"

namespace jitd::remote {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;
using Clock = std::chrono::system_clock;

ReplayCache::Digest digest(unsigned char seed) {
    ReplayCache::Digest d{};
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = static_cast<unsigned char>(std::size_t{seed} * 31 + i);
    return d;
}

std::size_t lines_in(const std::string& path) {
    const std::string text = test::read_file(path);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(ReplayCache, EachDigestOnceWithinKeep) {
    ReplayCache cache("", 300s);
    const auto t = Clock::now();
    EXPECT_TRUE(cache.first_use(digest(1), t));
    EXPECT_FALSE(cache.first_use(digest(1), t + 1s));
    EXPECT_FALSE(cache.first_use(digest(1), t + 299s));
    EXPECT_TRUE(cache.first_use(digest(2), t + 299s));
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_TRUE(cache.first_use(digest(1), t + 300s));  // forgotten after `keep`
}

TEST(ReplayCache, ExpiredEntriesLeaveMemory) {
    ReplayCache cache("", 120s);
    const auto t = Clock::now();
    for (unsigned char i = 0; i < 50; ++i) ASSERT_TRUE(cache.first_use(digest(i), t));
    EXPECT_EQ(cache.size(), 50u);
    EXPECT_TRUE(cache.first_use(digest(200), t + 121s));
    EXPECT_EQ(cache.size(), 1u);
}

TEST(ReplayCache, AClockStepBackDoesNotForget) {
    ReplayCache cache("", 120s);
    const auto t = Clock::now();
    EXPECT_TRUE(cache.first_use(digest(1), t));
    EXPECT_FALSE(cache.first_use(digest(1), t - 3600s));
}

TEST(ReplayCache, SurvivesARestart) {
    TempDir dir;
    const std::string path = dir.file("replay");
    const auto t = Clock::now();
    {
        ReplayCache cache(path, 300s);
        EXPECT_TRUE(cache.first_use(digest(1), t));
        EXPECT_TRUE(cache.first_use(digest(2), t));
    }
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ReplayCache again(path, 300s);
    EXPECT_EQ(again.size(), 2u);
    EXPECT_FALSE(again.first_use(digest(1), t + 10s));
    EXPECT_FALSE(again.first_use(digest(2), t + 10s));
    EXPECT_TRUE(again.first_use(digest(3), t + 10s));
}

TEST(ReplayCache, LoadDropsExpiredTornAndJunkRecords) {
    TempDir dir;
    const std::string path = dir.file("replay");
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
    const std::string hex1(64, 'a');
    const std::string hex2(64, 'b');
    const std::string hex3(64, 'c');
    std::ofstream(path) << now - 10 << " " << hex1 << "\n"    // live
                        << now - 1000 << " " << hex2 << "\n"  // expired
                        << "garbage line\n"
                        << now << " " << std::string(64, 'Z') << "\n"
                        << now << " " << hex3;  // torn: no newline
    ReplayCache cache(path, 300s);
    EXPECT_EQ(cache.size(), 1u);
    ReplayCache::Digest a{};
    a.fill(0xaa);
    ReplayCache::Digest c{};
    c.fill(0xcc);
    EXPECT_FALSE(cache.first_use(a, Clock::now()));
    EXPECT_TRUE(cache.first_use(c, Clock::now()));
    EXPECT_EQ(lines_in(path), 2u);  // rewritten at load, then one appended
}

TEST(ReplayCache, TheFileIsCompactedWhenStaleRecordsDominate) {
    TempDir dir;
    const std::string path = dir.file("replay");
    ReplayCache cache(path, 60s);
    const auto t = Clock::now();
    for (int i = 0; i < 1100; ++i) {
        ReplayCache::Digest d{};
        d[0] = static_cast<unsigned char>(i);
        d[1] = static_cast<unsigned char>(i >> 8);
        ASSERT_TRUE(cache.first_use(d, t));
    }
    EXPECT_EQ(lines_in(path), 1100u);
    EXPECT_TRUE(cache.first_use(digest(1), t + 61s));  // the sweep expires all 1100
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_LE(lines_in(path), 2u);
    ReplayCache again(path, 60s);
    EXPECT_FALSE(again.first_use(digest(1), t + 62s));
}

TEST(ReplayCache, AnUnusablePathIsAnError) {
    EXPECT_THROW(ReplayCache("/nonexistent/dir/replay", 60s), std::runtime_error);
}

}  // namespace
}  // namespace jitd::remote
