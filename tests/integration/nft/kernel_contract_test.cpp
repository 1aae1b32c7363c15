// The same cases against nft::Session (the real kernel, in a private namespace) and against
// test::FakeKernel (tests/support/fake_kernel.hpp): the in-memory model the engine's unit tests
// run on must answer as the kernel does, error kind, errno and key alike.
#include <cerrno>
#include <memory>

#include "tests/integration/nft/fixture.hpp"
#include "tests/support/fake_kernel.hpp"

namespace jitd::nft::testing {
namespace {

using namespace std::chrono_literals;

class Contract : public NftTest, public ::testing::WithParamInterface<bool> {
  protected:
    void SetUp() override {
        NftTest::SetUp();
        if (IsSkipped()) return;
        if (GetParam())
            kernel_ = fake_.connect();
        else
            net().server().run([&] { kernel_ = std::make_unique<Session>(Session::open()); });
        k().install(default_spec(), {});
    }
    void TearDown() override { kernel_.reset(); }
    Kernel& k() { return *kernel_; }
    bool destroy() { return GetParam() || session().features().destroy_element; }

    // "ok", or the error as "<kind> <key> <errno>".
    std::string outcome(const Change& c) {
        try {
            k().apply(c);
            return "ok";
        } catch (const Error& e) {
            static const char* kinds[] = {"kernel",    "overlap",     "exists",
                                          "not_found", "unsupported", "io"};
            return std::string(kinds[static_cast<int>(e.kind())]) + " " +
                   (e.key() ? e.key()->str() : "-") + " " + std::to_string(e.err());
        }
    }
    std::optional<ListedElement> listed(const ElementKey& key) {
        for (const auto& l : k().list_elements())
            if (l.key == key) return l;
        return std::nullopt;
    }

  private:
    test::FakeClock clock_;
    test::FakeKernel fake_{clock_};
    std::unique_ptr<Kernel> kernel_;
};

TEST_P(Contract, AddListFind) {
    EXPECT_EQ(outcome(Change{{},
                             {E("203.0.113.9", L4::tcp, kSsh, kLong, "jitd:a"),
                              E("2001:db8::/32", L4::udp, kSsh, 90s, "jitd:b")}}),
              "ok");
    EXPECT_EQ(k().list_elements().size(), 2u);
    auto l = listed(K("2001:db8::/32", L4::udp, kSsh));
    ASSERT_TRUE(l);
    EXPECT_EQ(l->comment, "jitd:b");
    EXPECT_EQ(l->timeout, 90s);
    EXPECT_GT(l->remaining, 80s);
    auto f = k().find_element(K("203.0.113.9", L4::tcp, kSsh));
    ASSERT_TRUE(f);
    EXPECT_EQ(f->timeout, kLong);
    EXPECT_FALSE(k().find_element(K("203.0.113.8", L4::tcp, kSsh)));
    EXPECT_FALSE(k().find_element(K("2001:db8::/33", L4::udp, kSsh))) << "exact keys only";
    EXPECT_EQ(k().input_rule_count(), k().expected_input_rules(default_spec()));
}

TEST_P(Contract, DuplicatesAndOverlaps) {
    ASSERT_EQ(outcome(Change{{},
                             {E("203.0.113.9", L4::tcp, kSsh, kLong),
                              E("198.51.100.0/30", L4::tcp, kSsh, kLong)}}),
              "ok");
    EXPECT_EQ(outcome(Change{{}, {E("203.0.113.9", L4::tcp, kSsh, kLong)}}),
              "exists 203.0.113.9 . tcp . 2222 17");
    EXPECT_EQ(outcome(Change{{}, {E("198.51.100.0/30", L4::tcp, kSsh, kLong)}}),
              "exists 198.51.100.0/30 . tcp . 2222 17");
    EXPECT_EQ(outcome(Change{{}, {E("198.51.100.0/29", L4::tcp, kSsh, kLong)}}),
              "overlap 198.51.100.0/29 . tcp . 2222 17");
    EXPECT_EQ(outcome(Change{{}, {E("198.51.100.2/31", L4::tcp, kSsh, kLong)}}),
              "overlap 198.51.100.2/31 . tcp . 2222 17");
    EXPECT_EQ(outcome(Change{{}, {E("198.51.100.1", L4::tcp, kSsh, kLong)}}), "ok")
        << "a host is in a set of its own";
    EXPECT_EQ(outcome(Change{{}, {E("198.51.100.0/29", L4::udp, kSsh, kLong)}}), "ok");
    EXPECT_EQ(
        outcome(Change{
            {}, {E("192.0.2.1", L4::tcp, kSsh, kLong), E("192.0.2.1", L4::tcp, kSsh, kLong)}}),
        "exists 192.0.2.1 . tcp . 2222 17");
    EXPECT_FALSE(k().find_element(K("192.0.2.1", L4::tcp, kSsh))) << "all or nothing";
}

TEST_P(Contract, ReplaceAndRemove) {
    ASSERT_EQ(outcome(Change{{},
                             {E("203.0.113.9", L4::tcp, kSsh, 60s, "jitd:old"),
                              E("198.51.100.0/30", L4::tcp, kSsh, 60s, "jitd:old")}}),
              "ok");
    Change c{{K("192.0.2.99", L4::tcp, kSsh)},  // absent: no error
             {E("203.0.113.9", L4::tcp, kSsh, kLong, "jitd:new"),
              E("198.51.100.0/30", L4::tcp, kSsh, kLong, "jitd:new")}};
    c.replace = true;
    EXPECT_EQ(outcome(c), "ok");
    EXPECT_EQ(listed(K("203.0.113.9", L4::tcp, kSsh))->comment, "jitd:new");
    EXPECT_EQ(listed(K("198.51.100.0/30", L4::tcp, kSsh))->comment, "jitd:new");
    Change wider{{}, {E("198.51.100.0/29", L4::tcp, kSsh, kLong)}};
    wider.replace = true;
    EXPECT_EQ(outcome(wider), "overlap 198.51.100.0/29 . tcp . 2222 17");
    EXPECT_EQ(
        outcome(Change{{K("203.0.113.9", L4::tcp, kSsh), K("198.51.100.0/30", L4::tcp, kSsh)}, {}}),
        "ok");
    EXPECT_TRUE(k().list_elements().empty());
}

TEST_P(Contract, BadElementsAreRefusedBeforeTheKernel) {
    EXPECT_EQ(outcome(Change{{}, {E("203.0.113.9", L4::tcp, kSsh, 0s)}}),
              "kernel 203.0.113.9 . tcp . 2222 22");
    EXPECT_EQ(outcome(Change{{}, {E("203.0.113.9", L4::tcp, kSsh, kLong, std::string(128, 'c'))}}),
              "kernel 203.0.113.9 . tcp . 2222 22");
}

TEST_P(Contract, WithoutTheTable) {
    ASSERT_EQ(outcome(Change{{}, {E("203.0.113.9", L4::tcp, kSsh, kLong)}}), "ok");
    k().remove_table();
    EXPECT_NO_THROW(k().remove_table()) << "absent is no error";
    EXPECT_FALSE(k().table_exists());
    EXPECT_TRUE(k().list_elements().empty());
    EXPECT_FALSE(k().find_element(K("203.0.113.9", L4::tcp, kSsh)));
    EXPECT_TRUE(k().list_pickups().empty());
    EXPECT_EQ(k().input_rule_count(), 0u);
    EXPECT_EQ(outcome(Change{{}, {E("203.0.113.9", L4::tcp, kSsh, kLong)}}),
              "not_found 203.0.113.9 . tcp . 2222 2");
    if (destroy()) {  // DESTROYSETELEM needs the table; the pre-6.3 fallback drops the delete
        EXPECT_EQ(outcome(Change{{K("203.0.113.9", L4::tcp, kSsh)}, {}}),
                  "not_found 203.0.113.9 . tcp . 2222 2");
    }
}

TEST_P(Contract, RestoreHoldsExactlyTheGrants) {
    ASSERT_EQ(
        outcome(Change{
            {}, {E("203.0.113.9", L4::tcp, kSsh, kLong), E("192.0.2.7", L4::udp, kSsh, kLong)}}),
        "ok");
    k().remove_table();
    k().restore(
        default_spec(),
        {E("192.0.2.7", L4::udp, kSsh, kLong, "jitd:back"), E("10.1.0.0/16", L4::tcp, kRdp, 90s)},
        {PendingElement{0x2aULL << 16, kLong, {}, "jitd-a:1:1"}});
    ASSERT_EQ(k().list_pending().size(), 1u);
    EXPECT_EQ(k().list_pending()[0].comment, "jitd-a:1:1");
    // The pending set: an existing key is refused, an absent one removed without error.
    EXPECT_THROW(k().add_pending({PendingElement{0x2aULL << 16, kLong, {}, "jitd-a:2:2"}}), Error);
    k().remove_pending({0x2aULL << 16, 0x2bULL << 16});
    EXPECT_TRUE(k().list_pending().empty());
    EXPECT_TRUE(k().table_exists());
    const auto all = k().list_elements();
    EXPECT_EQ(all.size(), 2u);
    EXPECT_EQ(listed(K("192.0.2.7", L4::udp, kSsh))->comment, "jitd:back");
    EXPECT_TRUE(listed(K("10.1.0.0/16", L4::tcp, kRdp)));
    EXPECT_FALSE(listed(K("203.0.113.9", L4::tcp, kSsh)));
    EXPECT_EQ(k().input_rule_count(), k().expected_input_rules(default_spec()));
}

INSTANTIATE_TEST_SUITE_P(Both, Contract, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "fake" : "kernel"; });

}  // namespace
}  // namespace jitd::nft::testing
