// The whole suite must leave the root namespace's firewall exactly as it found it: jitd only
// ever runs inside the tests' private namespaces.
#include <gtest/gtest.h>

#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::test {
namespace {

class RootRulesetGuard : public ::testing::Environment {
  public:
    void SetUp() override {
        if (is_root()) before_ = root_ruleset();
    }
    void TearDown() override {
        if (!is_root()) return;
        EXPECT_EQ(root_ruleset(), before_) << "the root namespace's ruleset changed";
    }

  private:
    std::string before_;
};

// gtest takes ownership of registered environments; registration must precede RUN_ALL_TESTS.
[[maybe_unused]] const auto* const kGuard =
    ::testing::AddGlobalTestEnvironment(new RootRulesetGuard);  // NOLINT(owning-memory)

}  // namespace
}  // namespace jitd::test
