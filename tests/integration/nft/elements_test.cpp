// Grant element batches against the real kernel: errors that name their element, batches that
// apply all or nothing, deletes of already expired elements, a batch of 100k elements, and the
// listing of all four grant sets (dumped concurrently) element for element.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "tests/integration/nft/fixture.hpp"

namespace jitd::nft::testing {
namespace {

using namespace std::chrono_literals;
using jitd::test::poll_until;

std::string fmt_hex(int v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(v));
    return buf;
}

class Elements : public NftTest {
  protected:
    void SetUp() override {
        NftTest::SetUp();
        if (IsSkipped()) return;
        session().install(default_spec());
    }
    std::vector<ElementKey> keys() {
        std::vector<ElementKey> out;
        for (const auto& l : session().list_elements()) out.push_back(l.key);
        std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.str() < b.str(); });
        return out;
    }
    // Applies `change`, expecting an Error; returns it.
    Error refused(const Change& change) {
        try {
            session().apply(change);
        } catch (const Error& e) {
            return e;
        }
        ADD_FAILURE() << "the kernel accepted the change";
        return Error(Error::Kind::kernel, 0, "");
    }
};

TEST_F(Elements, OverlappingPrefixIsRefusedNamingIt) {
    add(E("198.51.100.0/30", L4::tcp, kSsh, kLong));
    for (const char* overlapping : {"198.51.100.0/29", "198.51.100.2/31", "198.51.100.0/31"}) {
        const Error e = refused(Change{{}, {E(overlapping, L4::tcp, kSsh, kLong)}});
        EXPECT_EQ(e.kind(), Error::Kind::overlap) << e.what();
        ASSERT_TRUE(e.key().has_value());
        EXPECT_EQ(*e.key(), K(overlapping, L4::tcp, kSsh));
        EXPECT_NE(std::string(e.what()).find(std::string("kernel refused grant element ") +
                                             overlapping + " . tcp . 2222"),
                  std::string::npos)
            << e.what();
    }
    // The very same prefix is a duplicate, not an overlap.
    const Error dup = refused(Change{{}, {E("198.51.100.0/30", L4::tcp, kSsh, kLong)}});
    EXPECT_EQ(dup.kind(), Error::Kind::exists) << dup.what();
    EXPECT_EQ(*dup.key(), K("198.51.100.0/30", L4::tcp, kSsh));
    // The same prefix on another port or protocol does not overlap.
    EXPECT_NO_THROW(add(E("198.51.100.0/29", L4::udp, kSsh, kLong)));
    EXPECT_NO_THROW(add(E("198.51.100.0/29", L4::tcp, kRdp, kLong)));
    // A host inside the prefix gets a grant of its own.
    EXPECT_NO_THROW(add(E("198.51.100.1", L4::tcp, kSsh, kLong)));

    add(E("2001:db8:5::/64", L4::tcp, kSsh, kLong));
    const Error e6 = refused(Change{{}, {E("2001:db8:5::/48", L4::tcp, kSsh, kLong)}});
    EXPECT_EQ(e6.kind(), Error::Kind::overlap) << e6.what();
}

TEST_F(Elements, DuplicateHostIsRefusedAsExisting) {
    add(E("203.0.113.9", L4::tcp, kSsh, kLong));
    const Error e = refused(Change{{}, {E("203.0.113.9", L4::tcp, kSsh, kLong)}});
    EXPECT_EQ(e.kind(), Error::Kind::exists) << e.what();
    EXPECT_EQ(e.err(), EEXIST);
    EXPECT_EQ(*e.key(), K("203.0.113.9", L4::tcp, kSsh));
}

TEST_F(Elements, OneBadElementAppliesNothingAndIsNamed) {
    session().apply(Change{
        {}, {E("10.9.0.0/16", L4::tcp, kSsh, kLong), E("203.0.113.1", L4::tcp, kSsh, kLong)}});
    const auto before = keys();
    Change change;
    change.remove = {K("203.0.113.1", L4::tcp, kSsh)};
    change.add = {E("10.1.0.1", L4::tcp, kSsh, kLong), E("2001:db8:7::1", L4::udp, kSsh, kLong),
                  E("10.9.1.0/24", L4::tcp, kSsh, kLong),  // inside 10.9.0.0/16
                  E("10.2.0.1", L4::tcp, kSsh, kLong)};
    const Error e = refused(change);
    EXPECT_EQ(e.kind(), Error::Kind::overlap) << e.what();
    ASSERT_TRUE(e.key().has_value());
    EXPECT_EQ(*e.key(), K("10.9.1.0/24", L4::tcp, kSsh));
    EXPECT_EQ(keys(), before) << "nothing of the batch was applied";
}

TEST_F(Elements, CommentsAndTimeoutsRoundTrip) {
    const std::string longest(127, 'c');
    session().apply(Change{{},
                           {E("192.0.2.77", L4::udp, kSsh, 90s, longest),
                            E("2001:db8::/32", L4::tcp, kRdp, 3h, "jitd:g-5f2c9a01b2c3:alice")}});
    auto listed = session().list_elements();
    ASSERT_EQ(listed.size(), 2u);
    std::sort(listed.begin(), listed.end(),
              [](auto& a, auto& b) { return a.key.port < b.key.port; });
    EXPECT_EQ(listed[0].key, K("192.0.2.77", L4::udp, kSsh));
    EXPECT_EQ(listed[0].comment, longest);
    EXPECT_EQ(listed[0].timeout, 90s);
    EXPECT_EQ(listed[1].key, K("2001:db8::/32", L4::tcp, kRdp));
    EXPECT_EQ(listed[1].comment, "jitd:g-5f2c9a01b2c3:alice");
    EXPECT_EQ(listed[1].timeout, 3h);
    EXPECT_GT(listed[1].remaining, 3h - 1min);

    const Error e = refused(Change{{}, {E("192.0.2.78", L4::udp, kSsh, 90s, longest + "c")}});
    EXPECT_EQ(e.err(), EINVAL) << e.what();
}

// Deleting an element the kernel already expired, among others, must not fail the batch: with
// DESTROYSETELEM (6.3+) and with the pre-6.3 fallback (drop the ENOENT delete, resend).
class ExpiredDelete : public Elements, public ::testing::WithParamInterface<bool> {};

TEST_P(ExpiredDelete, DoesNotFailTheBatch) {
    std::optional<Session> s;
    const bool destroy = GetParam();
    if (destroy && !session().features().destroy_element)
        GTEST_SKIP() << "kernel without DESTROYSETELEM";
    net().server().run([&] { s.emplace(Session::open_assuming(Features{destroy})); });

    s->apply(
        Change{{},
               {E("203.0.113.1", L4::tcp, kSsh, 1s), E("203.0.113.0/29", L4::udp, kSsh, 1s),
                E("203.0.113.2", L4::tcp, kSsh, kLong), E("203.0.113.3", L4::tcp, kSsh, kLong)}});
    ASSERT_TRUE(poll_until([&] { return s->list_elements().size() == 2; }));

    Change change;
    change.remove = {K("203.0.113.1", L4::tcp, kSsh), K("203.0.113.0/29", L4::udp, kSsh),
                     K("203.0.113.2", L4::tcp, kSsh), K("198.51.100.99", L4::udp, kRdp)};
    change.add = {E("203.0.113.1", L4::tcp, kSsh, kLong)};
    ASSERT_NO_THROW(s->apply(change));
    EXPECT_EQ(keys(), (std::vector<ElementKey>{K("203.0.113.1", L4::tcp, kSsh),
                                               K("203.0.113.3", L4::tcp, kSsh)}));
}

INSTANTIATE_TEST_SUITE_P(Kernels, ExpiredDelete, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "destroy" : "fallback"; });

// Thousands of elements in each grant set (IPv4 and IPv6, hosts and prefixes), each with its
// own comment and timeout: the sets are dumped at once on four sockets, every one in many
// messages, and the listing must hold each element exactly once with its attributes.
TEST_F(Elements, ListingReadsEveryElementOfAllFourSets) {
    constexpr int kPerSet = 3000;
    std::vector<Element> added;
    for (int i = 0; i < kPerSet; ++i) {
        const std::string a = std::to_string(i / 256), b = std::to_string(i % 256);
        const std::string hex = fmt_hex(i);
        const auto timeout = kLong + std::chrono::seconds(i);
        added.push_back(E("10.1." + a + "." + b, L4::tcp, kSsh, timeout, "v4h-" + hex));
        added.push_back(
            E("10.128." + std::to_string(i / 16) + "." + std::to_string(i % 16 * 16) + "/28",
              L4::udp, kSsh, timeout, "v4p-" + hex));
        added.push_back(E("2001:db8:1::" + hex, L4::tcp, kRdp, timeout, "v6h-" + hex));
        added.push_back(E("2001:db8:2:" + hex + "::/64", L4::tcp, kSsh, timeout, "v6p-" + hex));
    }
    session().apply(Change{{}, added});

    auto text = [](const auto& e) {
        return e.key.str() + " " + e.comment + " " +
               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(e.timeout).count());
    };
    std::vector<std::string> want, got;
    for (const auto& e : added) want.push_back(text(e));
    for (const auto& l : session().list_elements()) got.push_back(text(l));
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(got, want);
}

TEST_F(Elements, HundredThousandInOneBatch) {
    constexpr std::uint32_t kCount = 100000;
    Change change;
    change.add.reserve(kCount);
    for (std::uint32_t i = 0; i < kCount; ++i) {
        Element e;
        e.key.source.family = Prefix::Family::ipv4;
        const std::uint32_t addr = (10u << 24) + i + 1;  // 10.0.0.1 ...
        for (int b = 0; b < 4; ++b)
            e.key.source.bytes[b] = static_cast<std::uint8_t>(addr >> (24 - 8 * b));
        e.key.source.len = 32;
        e.key.proto = L4::tcp;
        e.key.port = kSsh;
        e.timeout = kLong;
        e.comment = "jitd:g-" + std::to_string(i) + ":bulk";
        change.add.push_back(std::move(e));
    }
    const auto t0 = std::chrono::steady_clock::now();
    session().apply(change);
    const auto t1 = std::chrono::steady_clock::now();
    const auto listed = session().list_elements();
    const auto t2 = std::chrono::steady_clock::now();
    EXPECT_EQ(listed.size(), kCount);
    EXPECT_TRUE(std::any_of(listed.begin(), listed.end(), [](const ListedElement& l) {
        return l.comment == "jitd:g-99999:bulk";
    }));

    Change removal;
    for (const auto& e : change.add) removal.remove.push_back(e.key);
    session().apply(removal);
    const auto t3 = std::chrono::steady_clock::now();
    EXPECT_TRUE(session().list_elements().empty());

    auto ms = [](auto d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    std::cout << "100k elements: add batch " << ms(t1 - t0) << " ms, list " << ms(t2 - t1)
              << " ms, delete batch " << ms(t3 - t2) << " ms\n";
    RecordProperty("add_ms", std::to_string(ms(t1 - t0)));
    RecordProperty("list_ms", std::to_string(ms(t2 - t1)));
    RecordProperty("delete_ms", std::to_string(ms(t3 - t2)));
}

}  // namespace
}  // namespace jitd::nft::testing
