// The `pending` set on the real kernel: elements with timeouts and comments go in, come back
// with their remaining time, go out (an absent one is no error), time out on their own, survive
// install(), come back with restore() after the table was deleted, and a foreign `pending` set
// of another shape is refused like every other set of jitd's.
#include <algorithm>
#include <cerrno>
#include <string>

#include "tests/integration/nft/fixture.hpp"

namespace jitd::nft::testing {
namespace {

using namespace std::chrono_literals;

class PendingSet : public NftTest {};

PendingElement PE(std::uint64_t key, std::chrono::milliseconds timeout, std::string comment) {
    return PendingElement{key, timeout, {}, std::move(comment)};
}

TEST_F(PendingSet, ElementsGoInComeBackAndGoOut) {
    session().install(default_spec());
    EXPECT_TRUE(session().list_pending().empty());
    const std::string comment = "jitd-r:1001:22:t:600:1800000000:1:s:2001:db8:99::/64:r=fix+it";
    session().add_pending({PE(0x0123456789ab0000ULL, 1h, comment),
                           PE(0x0123456789ab0001ULL, 1h, "jitd-a:1002:1800000100")});
    auto listed = session().list_pending();
    ASSERT_EQ(listed.size(), 2u);
    std::sort(listed.begin(), listed.end(), [](auto& a, auto& b) { return a.key < b.key; });
    EXPECT_EQ(listed[0].key, 0x0123456789ab0000ULL);
    EXPECT_EQ(listed[0].comment, comment);
    EXPECT_EQ(listed[0].timeout, 1h);
    EXPECT_GT(listed[0].remaining, 59min);
    EXPECT_EQ(listed[1].comment, "jitd-a:1002:1800000100");
    EXPECT_NE(listing().find("set pending"), std::string::npos) << listing();

    try {
        session().add_pending({PE(0x0123456789ab0000ULL, 1h, "jitd-a:1:1")});
        ADD_FAILURE() << "an existing key was added again";
    } catch (const Error& e) {
        EXPECT_EQ(e.err(), EEXIST) << e.what();
    }
    session().remove_pending({0x0123456789ab0000ULL, 0x0123456789ab0001ULL, 0x42ULL});
    EXPECT_TRUE(session().list_pending().empty());
}

TEST_F(PendingSet, InstallKeepsThemRestorePutsThemBack) {
    session().install(default_spec());
    session().add_pending({PE(0x1111ULL, 1h, "jitd-a:1:1")});
    session().install(default_spec());
    ASSERT_EQ(session().list_pending().size(), 1u) << "a reload keeps pending requests";
    nft({"delete", "table", "inet", "jitd"});
    EXPECT_TRUE(session().list_pending().empty());
    session().restore(default_spec(), {E("198.51.100.2", L4::tcp, kSsh, 1h)},
                      {PE(0x1111ULL, 30min, "jitd-a:1:1")});
    const auto listed = session().list_pending();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].timeout, 30min);
    EXPECT_EQ(session().list_elements().size(), 1u);
    // restore() sets exactly what it is given: a foreign element goes.
    nft({"add", "element", "inet", "jitd", "pending", "{ 0x1 . 0x2 timeout 1h }"});
    session().restore(default_spec(), {}, {});
    EXPECT_TRUE(session().list_pending().empty());
}

TEST_F(PendingSet, TheKernelDropsThemAtTheirTimeout) {
    session().install(default_spec());
    session().add_pending({PE(0x2222ULL, 1s, "jitd-a:1:1")});
    EXPECT_TRUE(jitd::test::poll_until([&] { return session().list_pending().empty(); }, 10s));
}

TEST_F(PendingSet, AConflictingPendingSetIsRefused) {
    nft({"add", "table", "inet", "jitd"});
    nft({"add", "set", "inet", "jitd", "pending", "{ type mark; flags timeout; }"});
    try {
        session().install(default_spec());
        ADD_FAILURE() << "install over a conflicting pending set succeeded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("set pending already exists"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace jitd::nft::testing
