// The suite works only inside private namespaces: the root namespace's ruleset must be the same
// after it as before. A gtest Environment records it first and compares at the end.
#include <gtest/gtest.h>

#include <memory>

#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace {

class RootRulesetGuard : public ::testing::Environment {
  public:
    void SetUp() override {
        if (jitd::test::is_root()) before_ = jitd::test::root_ruleset();
    }
    void TearDown() override {
        if (!jitd::test::is_root()) return;
        EXPECT_EQ(jitd::test::root_ruleset(), before_)
            << "the root network namespace's ruleset changed during the nft tests";
    }

  private:
    std::string before_;
};

// gtest owns registered environments.
[[maybe_unused]] const auto* const kGuard =
    ::testing::AddGlobalTestEnvironment(std::make_unique<RootRulesetGuard>().release());

}  // namespace
