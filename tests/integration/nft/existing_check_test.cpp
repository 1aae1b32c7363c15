// install() and restore() over objects that already exist: an identical table is reused (its
// grants survive), one of jitd's sets or its chain with another definition is refused by name
// before anything is sent. Newer kernels refuse such a NEWSET themselves; 5.10 accepts it and
// keeps the old set, so jitd checks on every kernel (nft/existing_check.cpp).
#include <cerrno>
#include <string>

#include "tests/integration/nft/fixture.hpp"

namespace jitd::nft::testing {
namespace {

class ExistingCheck : public NftTest {
  protected:
    // install() must fail naming `object`, and change nothing.
    void expect_refused(const std::string& object) {
        const std::string before = listing();
        try {
            session().install(default_spec());
            ADD_FAILURE() << "install over a conflicting " << object << " succeeded";
        } catch (const Error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(object + " already exists with another definition"),
                      std::string::npos)
                << what;
            EXPECT_EQ(e.kind(), Error::Kind::kernel);
            EXPECT_EQ(e.err(), EEXIST);
        }
        EXPECT_EQ(listing(), before) << "nothing was applied";
    }
};

TEST_F(ExistingCheck, ConflictingKeyTypeIsNamedAndNothingChanges) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "set", "inet", "jitd", "grant4_net", "{ type ipv4_addr; }"});
    expect_refused("set grant4_net");
}

TEST_F(ExistingCheck, SameKeyWithoutTimeoutFlagIsRefused) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "set", "inet", "jitd", "grant4_host",
         "{ type ipv4_addr . inet_proto . inet_service; }"});
    expect_refused("set grant4_host");
}

TEST_F(ExistingCheck, DefaultTimeoutIsRefused) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "set", "inet", "jitd", "grant6_host",
         "{ type ipv6_addr . inet_proto . inet_service; flags timeout; timeout 1h; }"});
    expect_refused("set grant6_host");
}

TEST_F(ExistingCheck, RegularChainNamedInputIsRefused) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "chain", "inet", "jitd", "input"});
    expect_refused("chain input");
}

TEST_F(ExistingCheck, InputChainOnAnotherHookIsRefused) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "chain", "inet", "jitd", "input",
         "{ type filter hook output priority 0; policy accept; }"});
    expect_refused("chain input");
}

TEST_F(ExistingCheck, RestoreRefusesAConflictingSetToo) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "set", "inet", "jitd", "pickup4", "{ type ipv4_addr . inet_service; }"});
    try {
        session().restore(default_spec(),
                          {E("198.51.100.2", L4::tcp, kSsh, std::chrono::hours(1))});
        ADD_FAILURE() << "restore over a conflicting set succeeded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("set pickup4 already exists"), std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(session().list_elements().empty());
}

TEST_F(ExistingCheck, TableFromTheRenderedTextIsReusedWithItsGrants) {
    // nft -f builds the sets as jitd would: the check must not refuse them.
    jitd::test::run_ok(net().server().exec({"nft", "-f", "-"}), render_ruleset(default_spec()));
    nft({"add", "element", "inet", "jitd", "grant4_net",
         "{ 203.0.113.0/24 . tcp . 2222 timeout 1h comment \"jitd:g-1:alice\" }"});
    EXPECT_NO_THROW(session().install(default_spec()));
    EXPECT_NO_THROW(session().install(default_spec()));  // and jitd's own table too
    const auto listed = session().list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed.front().key, K("203.0.113.0/24", L4::tcp, kSsh));
}

TEST_F(ExistingCheck, OtherSetsInTheTableAreLeftAlone) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "set", "inet", "jitd", "someone_elses", "{ type ipv4_addr; }"});
    EXPECT_NO_THROW(session().install(default_spec()));
    EXPECT_NE(listing().find("set someone_elses"), std::string::npos);
}

}  // namespace
}  // namespace jitd::nft::testing
