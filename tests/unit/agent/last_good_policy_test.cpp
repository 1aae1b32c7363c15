// The copy of the last policy that loaded: written whole (temp file + rename, mode 0600), never
// replaced by a file that no longer loads, and read back only when it loads.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/daemon/last_good_policy.hpp"
#include "tests/support/process.hpp"

namespace jitd::agent {
namespace {

class LastGoodPolicy : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/jitd-last-good-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        state_ = dir_ + "/state";  // made by the first save
        policy_ = dir_ + "/policy.yaml";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    void write(const std::string& text) { std::ofstream(policy_, std::ios::trunc) << text; }

    std::string dir_, state_, policy_;
};

constexpr const char* kGood = "ports:\n  - port: 2222\n    protocol: tcp\n";

TEST_F(LastGoodPolicy, SavesTheFileWholeAndPrivate) {
    write(kGood);
    EXPECT_EQ(save_last_good_policy(state_, policy_), "");
    EXPECT_EQ(test::read_file(last_good_policy_path(state_)), kGood);
    struct stat st {};
    ASSERT_EQ(::stat(last_good_policy_path(state_).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(state_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_FALSE(std::filesystem::exists(last_good_policy_path(state_) + ".tmp"));
    std::string why;
    auto p = load_last_good_policy(state_, why);
    ASSERT_TRUE(p) << why;
    ASSERT_EQ(p->ports.size(), 1u);
    EXPECT_EQ(p->ports[0].port, 2222);
}

TEST_F(LastGoodPolicy, AFileThatNoLongerLoadsIsNotCopied) {
    write(kGood);
    ASSERT_EQ(save_last_good_policy(state_, policy_), "");
    write("ports:\n  - port: 70000\n");
    EXPECT_NE(save_last_good_policy(state_, policy_), "");
    EXPECT_EQ(test::read_file(last_good_policy_path(state_)), kGood) << "the old copy stays";
}

TEST_F(LastGoodPolicy, NothingSavedOrABrokenCopyLoadsNothing) {
    std::string why;
    EXPECT_FALSE(load_last_good_policy(state_, why));
    EXPECT_NE(why.find("no saved policy"), std::string::npos) << why;
    std::filesystem::create_directory(state_);
    std::ofstream(last_good_policy_path(state_)) << "portz: 1\n";
    why.clear();
    EXPECT_FALSE(load_last_good_policy(state_, why));
    EXPECT_NE(why.find("last-good-policy.yaml"), std::string::npos) << why;
}

TEST_F(LastGoodPolicy, AnUnwritableStateDirIsReportedNotFatal) {
    write(kGood);
    EXPECT_NE(save_last_good_policy(dir_ + "/no/such/parent", policy_), "");
}

}  // namespace
}  // namespace jitd::agent
