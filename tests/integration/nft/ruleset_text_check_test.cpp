// `nft -c -f -` accepts render_ruleset's text (what `jitd --check` prints).
#include <gtest/gtest.h>

#include "nft/model.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::nft {
namespace {

using jitd::test::TestNet;

TEST(RenderedRuleset, NftCheckAcceptsIt) {
    if (!jitd::test::is_root()) GTEST_SKIP() << "needs root";
    TestNet net;
    TableSpec spec;
    spec.protected_ports = {{L4::tcp, 22}, {L4::udp, 22}, {L4::tcp, 3389}, {L4::tcp, 5985}};
    spec.always_allow = {*parse_prefix("192.0.2.0/24"), *parse_prefix("10.0.0.0/8"),
                         *parse_prefix("10.1.0.0/16"), *parse_prefix("2001:db8::/32")};
    const std::string text = render_ruleset(spec);
    auto r = jitd::test::run(net.server().exec({"nft", "-c", "-f", "-"}), text);
    EXPECT_EQ(r.exit_code, 0) << r.err << "\n" << text;
}

TEST(RenderedRuleset, NftCheckAcceptsAnEmptyPolicy) {
    if (!jitd::test::is_root()) GTEST_SKIP() << "needs root";
    TestNet net;
    auto r = jitd::test::run(net.server().exec({"nft", "-c", "-f", "-"}), render_ruleset({}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace jitd::nft
