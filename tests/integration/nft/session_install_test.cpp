// install() builds the table over netlink; `nft` reads it back exactly as it reads a table made
// from render_ruleset's text. Reinstalling replaces the policy and keeps live grants.
#include <algorithm>

#include "tests/integration/nft/fixture.hpp"
#include "tests/integration/nft/listing_text.hpp"

namespace jitd::nft::testing {
namespace {

class Install : public NftTest {};

TableSpec rich_spec() {
    TableSpec spec = default_spec();
    spec.always_allow = {P("192.0.2.0/24"), P("10.0.0.0/8"), P("2001:db8:1::/48")};
    return spec;
}

// One grant in each grant set, 1h/2h timeouts so that both listings show the same timeout.
std::vector<Element> one_per_set() {
    return {E("203.0.113.7", L4::tcp, kSsh, std::chrono::hours(1), "jitd:g-1:alice"),
            E("203.0.113.0/24", L4::tcp, kRdp, std::chrono::hours(2), "jitd:g-2:bob"),
            E("2001:db8:2::7", L4::udp, kSsh, std::chrono::hours(1), "jitd:g-3:carol"),
            E("2001:db8:3::/64", L4::tcp, kSsh, std::chrono::hours(2), "jitd:g-4:dave")};
}

const char* const kNftElements[] = {
    "add element inet jitd grant4_host { 203.0.113.7 . tcp . 2222 timeout 1h comment "
    "\"jitd:g-1:alice\" }",
    "add element inet jitd grant4_net { 203.0.113.0/24 . tcp . 3389 timeout 2h comment "
    "\"jitd:g-2:bob\" }",
    "add element inet jitd grant6_host { 2001:db8:2::7 . udp . 2222 timeout 1h comment "
    "\"jitd:g-3:carol\" }",
    "add element inet jitd grant6_net { 2001:db8:3::/64 . tcp . 2222 timeout 2h comment "
    "\"jitd:g-4:dave\" }",
};

TEST_F(Install, NetlinkTableListsLikeTheRenderedText) {
    EXPECT_FALSE(session().table_exists());
    session().install(rich_spec());
    EXPECT_TRUE(session().table_exists());
    session().apply(Change{{}, one_per_set()});
    const std::string ours = listing();

    // The same table from the text, made by nft itself in the other namespace.
    std::string script = render_ruleset(rich_spec());
    for (const char* line : kNftElements) script += std::string(line) + "\n";
    jitd::test::run_ok(net().client().exec({"nft", "-f", "-"}), script);
    const std::string theirs =
        jitd::test::run_ok(net().client().exec({"nft", "list", "table", "inet", "jitd"}));

    EXPECT_EQ(comparable_listing(ours), comparable_listing(theirs));
    // And the rendered chain is, line for line, what nft prints for the netlink-built one.
    const std::string rendered = render_ruleset(rich_spec());
    const std::string chain = rendered.substr(rendered.find("\tchain "));
    EXPECT_NE(comparable_listing(ours).find(chain), std::string::npos) << chain << "\n" << ours;
    EXPECT_NE(ours.find("comment \"jitd:g-4:dave\""), std::string::npos) << ours;
    EXPECT_EQ(ours.find("flags owner"), std::string::npos) << "the table must outlive us";
}

TEST_F(Install, NftAcceptsTheTableAsInput) {
    session().install(rich_spec());
    session().apply(Change{{}, one_per_set()});
    // What nft prints, nft can read back (in the client namespace, which has no table yet).
    auto r = jitd::test::run(net().client().exec({"nft", "-c", "-f", "-"}), listing());
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Install, ReinstallReplacesPolicyAndKeepsGrants) {
    session().install(rich_spec());
    session().apply(Change{{}, one_per_set()});

    TableSpec next;
    next.protected_ports = {{L4::tcp, kSsh}, {L4::udp, kSsh}};  // 3389 no longer protected
    next.always_allow = {P("198.18.0.0/15")};
    session().install(next);
    session().install(next);  // idempotent

    const std::string text = comparable_listing(listing());
    EXPECT_NE(text.find("elements = { tcp . 2222, udp . 2222 }"), std::string::npos) << text;
    EXPECT_NE(text.find("elements = { 198.18.0.0/15 }"), std::string::npos) << text;
    EXPECT_EQ(text.find("192.0.2.0/24"), std::string::npos) << text;
    EXPECT_EQ(text.find("2001:db8:1::/48"), std::string::npos) << text;

    auto listed = session().list_elements();
    ASSERT_EQ(listed.size(), 4u);
    for (const auto& want : one_per_set()) {
        auto it = std::find_if(listed.begin(), listed.end(),
                               [&](const ListedElement& l) { return l.key == want.key; });
        ASSERT_NE(it, listed.end()) << want.key.str();
        EXPECT_EQ(it->comment, want.comment);
        EXPECT_EQ(it->timeout, want.timeout);
        EXPECT_GT(it->remaining, want.timeout - std::chrono::minutes(1));
        EXPECT_LE(it->remaining, it->timeout);
    }
}

TEST_F(Install, WholeAddressSpaceAndAdjacentPrefixesListLikeNft) {
    // 0.0.0.0/0 has no interval end; adjacent prefixes share a boundary.
    TableSpec spec = default_spec();
    spec.always_allow = {P("0.0.0.0/0"), P("2001:db8::/33"), P("2001:db8:8000::/33"),
                         P("ffff::/16")};
    session().install(spec);
    jitd::test::run_ok(net().client().exec({"nft", "-f", "-"}), render_ruleset(spec));
    const std::string theirs =
        jitd::test::run_ok(net().client().exec({"nft", "list", "table", "inet", "jitd"}));
    EXPECT_EQ(comparable_listing(listing()), comparable_listing(theirs));
}

// A conflicting existing set or chain: existing_check_test.cpp.

TEST_F(Install, RemoveTableIsQuietWhenAbsent) {
    EXPECT_NO_THROW(session().remove_table());
    session().install(default_spec());
    add(E("198.51.100.2", L4::tcp, kSsh, std::chrono::hours(1)));
    session().remove_table();
    EXPECT_FALSE(session().table_exists());
    EXPECT_TRUE(session().list_elements().empty());
    EXPECT_NO_THROW(session().remove_table());
}

TEST_F(Install, ProbesDestroyElementOnNewKernels) {
    // This machine's kernel is 6.18; DESTROYSETELEM exists since 6.3.
    const std::string release = jitd::test::run_ok({"uname", "-r"});
    const int major = std::stoi(release);
    const int minor = std::stoi(release.substr(release.find('.') + 1));
    EXPECT_EQ(session().features().destroy_element, major > 6 || (major == 6 && minor >= 3));
}

}  // namespace
}  // namespace jitd::nft::testing
