// Change::replace against the real kernel, with DESTROYSETELEM (6.3+) and with the pre-6.3
// fallback: an add replaces an element of exactly its key, never an overlapping prefix, in
// one transaction with whatever else the change holds.
#include <algorithm>

#include "tests/integration/nft/fixture.hpp"

namespace jitd::nft::testing {
namespace {

using namespace std::chrono_literals;
using jitd::test::poll_until;

class Replace : public NftTest, public ::testing::WithParamInterface<bool> {
  protected:
    void SetUp() override {
        NftTest::SetUp();
        if (IsSkipped()) return;
        if (GetParam() && !session().features().destroy_element)
            GTEST_SKIP() << "kernel without DESTROYSETELEM";
        net().server().run([&] { s_.emplace(Session::open_assuming(Features{GetParam()})); });
        s_->install(default_spec());
    }
    Session& s() { return *s_; }
    std::optional<ListedElement> listed(const ElementKey& k) {
        for (const auto& l : s().list_elements())
            if (l.key == k) return l;
        return std::nullopt;
    }
    static Change replacing(std::vector<Element> add, std::vector<ElementKey> remove = {}) {
        Change c{std::move(remove), std::move(add)};
        c.replace = true;
        return c;
    }

  private:
    std::optional<Session> s_;
};

TEST_P(Replace, ExactHostAndPrefixAreReplaced) {
    s().apply(Change{{},
                     {E("203.0.113.5", L4::tcp, kSsh, 60s, "jitd:old"),
                      E("198.51.100.0/30", L4::udp, kSsh, 60s, "jitd:old")}});
    s().apply(replacing({E("203.0.113.5", L4::tcp, kSsh, kLong, "jitd:new"),
                         E("198.51.100.0/30", L4::udp, kSsh, kLong, "jitd:new")}));
    for (const auto& k : {K("203.0.113.5", L4::tcp, kSsh), K("198.51.100.0/30", L4::udp, kSsh)}) {
        auto l = listed(k);
        ASSERT_TRUE(l) << k.str();
        EXPECT_EQ(l->comment, "jitd:new") << k.str();
        EXPECT_EQ(l->timeout, kLong) << k.str();
    }
    EXPECT_EQ(s().list_elements().size(), 2u);
}

TEST_P(Replace, OverlappingPrefixIsRefusedAndKept) {
    s().apply(Change{{}, {E("10.9.0.0/16", L4::tcp, kSsh, kLong, "jitd:wide")}});
    Change c =
        replacing({E("10.9.1.0/24", L4::tcp, kSsh, kLong), E("10.1.0.1", L4::tcp, kSsh, kLong)});
    try {
        s().apply(c);
        ADD_FAILURE() << "an overlapping prefix was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), Error::Kind::overlap) << e.what();
        EXPECT_EQ(*e.key(), K("10.9.1.0/24", L4::tcp, kSsh));
    }
    auto wide = listed(K("10.9.0.0/16", L4::tcp, kSsh));
    ASSERT_TRUE(wide) << "the wider prefix must survive";
    EXPECT_EQ(wide->comment, "jitd:wide");
    EXPECT_EQ(s().list_elements().size(), 1u) << "nothing of the change was applied";
}

TEST_P(Replace, WithRemovalsOfAbsentKeysAndNewKeysInOneChange) {
    s().apply(Change{{},
                     {E("192.0.2.1", L4::tcp, kSsh, kLong, "jitd:old"),
                      E("192.0.2.2", L4::tcp, kSsh, kLong), E("192.0.2.9", L4::tcp, kSsh, 1s)}});
    ASSERT_TRUE(poll_until([&] { return s().list_elements().size() == 2; }));
    Change c = replacing(
        {E("192.0.2.1", L4::tcp, kSsh, kLong, "jitd:new"),
         E("192.0.2.9", L4::tcp, kSsh, kLong, "jitd:back"), E("192.0.2.3", L4::tcp, kSsh, kLong)},
        {K("192.0.2.2", L4::tcp, kSsh), K("192.0.2.99", L4::tcp, kSsh)});
    ASSERT_NO_THROW(s().apply(c));
    EXPECT_EQ(listed(K("192.0.2.1", L4::tcp, kSsh))->comment, "jitd:new");
    EXPECT_EQ(listed(K("192.0.2.9", L4::tcp, kSsh))->comment, "jitd:back");
    EXPECT_TRUE(listed(K("192.0.2.3", L4::tcp, kSsh)));
    EXPECT_FALSE(listed(K("192.0.2.2", L4::tcp, kSsh)));
    EXPECT_EQ(s().list_elements().size(), 3u);
}

TEST_P(Replace, WithoutTheFlagAnExactDuplicateIsStillExists) {
    s().apply(Change{{}, {E("198.51.100.0/30", L4::tcp, kSsh, kLong)}});
    try {
        s().apply(Change{{}, {E("198.51.100.0/30", L4::tcp, kSsh, kLong)}});
        ADD_FAILURE() << "a duplicate was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), Error::Kind::exists) << e.what();
    }
}

TEST_P(Replace, OnAMissingTableIsNotFound) {
    s().remove_table();
    try {
        s().apply(replacing({E("192.0.2.1", L4::tcp, kSsh, kLong)}));
        ADD_FAILURE() << "applied without a table";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), Error::Kind::not_found) << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Kernels, Replace, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "destroy" : "fallback"; });

}  // namespace
}  // namespace jitd::nft::testing
