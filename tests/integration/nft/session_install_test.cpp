// install() builds the table over netlink; `nft` reads it back as render_ruleset's text says.
#include <regex>

#include "tests/integration/nft/fixture.hpp"

namespace jitd::nft::testing {
namespace {

class Install : public NftTest {};

TEST_F(Install, CreatesTheTable) {
    EXPECT_FALSE(session().table_exists());
    session().install(default_spec());
    EXPECT_TRUE(session().table_exists());
    const std::string text = listing();
    EXPECT_NE(text.find("flags interval,timeout"), std::string::npos) << text;
    std::cerr << text;
}

}  // namespace
}  // namespace jitd::nft::testing
