// The grant book's indexes, and rebuilding it from the kernel's elements.
#include <gtest/gtest.h>

#include <algorithm>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/grant_book.hpp"
#include "agent/daemon/grant_rebuild.hpp"
#include "agent/daemon/policy_bridge.hpp"

namespace jitd::agent {
namespace {

using namespace std::chrono_literals;
using Ms = std::chrono::sys_time<std::chrono::milliseconds>;

const wire::SysSeconds kBookT0{std::chrono::seconds{1800000000}};

config::Cidr cidr(const char* text) {
    return config::parse_cidr(text).value;
}

LiveGrant grant(const std::string& id, const std::string& user, const char* source,
                config::Protocol p, std::uint16_t port, std::chrono::seconds length) {
    LiveGrant g;
    g.source = cidr(source);
    g.grant.id = id;
    g.grant.user = user;
    g.grant.uid = user == "alice" ? 1001 : user == "bob" ? 1002 : 1003;
    g.grant.port = port;
    g.grant.protocol = p;
    g.grant.source = g.source.str_with_len();
    g.grant.start = kBookT0;
    g.grant.end = kBookT0 + length;
    return g;
}

TEST(GrantBook, IndexesFollowAddAndRemove) {
    GrantBook book;
    book.add(grant("g-000000000001", "alice", "203.0.113.7", config::Protocol::tcp, 22, 1h));
    book.add(grant("g-000000000002", "alice", "10.0.0.0/24", config::Protocol::any, 5985, 30min));
    book.add(grant("g-000000000003", "bob", "10.0.1.0/24", config::Protocol::tcp, 5985, 2h));
    EXPECT_EQ(book.size(), 3u);
    EXPECT_EQ(book.count_for(1001), 2u);
    EXPECT_EQ(book.count_for(1002), 1u);
    EXPECT_EQ(book.count_for(1003), 0u);
    EXPECT_EQ(book.active_on(22, config::Protocol::tcp), 1u);
    EXPECT_EQ(book.active_on(5985, config::Protocol::any), 2u);
    EXPECT_EQ(book.active_on(5985, config::Protocol::udp), 1u);

    nft::ElementKey udp_key{to_prefix(cidr("10.0.0.0/24")), nft::L4::udp, 5985};
    ASSERT_NE(book.find_by_key(udp_key), nullptr);
    EXPECT_EQ(book.find_by_key(udp_key)->grant.id, "g-000000000002");

    // Prefix overlap is found among prefixes of the same proto/port only.
    EXPECT_NE(book.overlapping_prefix(cidr("10.0.0.128/25"), nft::L4::tcp, 5985, ""), nullptr);
    EXPECT_EQ(book.overlapping_prefix(cidr("10.0.0.128/25"), nft::L4::tcp, 5986, ""), nullptr);
    EXPECT_EQ(book.overlapping_prefix(cidr("10.0.0.128/25"), nft::L4::tcp, 5985, "g-000000000002"),
              nullptr);
    EXPECT_EQ(book.overlapping_prefix(cidr("10.0.2.0/24"), nft::L4::tcp, 5985, ""), nullptr);

    std::vector<std::string> order;
    book.for_each_by_end([&order](const LiveGrant& g) { order.push_back(g.grant.id); });
    EXPECT_EQ(order,
              (std::vector<std::string>{"g-000000000002", "g-000000000001", "g-000000000003"}));
    EXPECT_EQ(book.next_end(), kBookT0 + 30min);
    EXPECT_EQ(book.due(kBookT0 + 1h),
              (std::vector<std::string>{"g-000000000002", "g-000000000001"}));

    auto removed = book.remove("g-000000000002");
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->keys().size(), 2u);
    EXPECT_EQ(book.find_by_key(udp_key), nullptr);
    EXPECT_EQ(book.overlapping_prefix(cidr("10.0.0.128/25"), nft::L4::tcp, 5985, ""), nullptr);
    EXPECT_EQ(book.count_for(1001), 1u);
    EXPECT_EQ(book.active_on(5985, config::Protocol::any), 1u);
    EXPECT_FALSE(book.remove("g-000000000002"));

    book.set_end("g-000000000003", kBookT0 + 10min);
    EXPECT_EQ(book.next_end(), kBookT0 + 10min);
    EXPECT_EQ(book.find("g-000000000003")->grant.end, kBookT0 + 10min);
}

// Grants that end in the same second share one bucket; removing one from its middle moves the
// last into its place, and the moved grant must still be found, moved and removed there.
TEST(GrantBook, GrantsEndingInOneSecondStayIndexedThroughRemovals) {
    GrantBook book;
    auto id = [](int i) { return "g-00000000000" + std::to_string(i); };
    for (int i = 1; i <= 5; ++i)
        book.add(grant(id(i), "alice", ("203.0.113." + std::to_string(i)).c_str(),
                       config::Protocol::tcp, 22, 1h));
    auto due_sorted = [&book](wire::SysSeconds t) {
        auto ids = book.due(t);
        std::sort(ids.begin(), ids.end());
        return ids;
    };
    ASSERT_TRUE(book.remove(id(2)));  // id(5) moves into its slot
    book.set_end(id(5), kBookT0 + 2h);
    ASSERT_TRUE(book.remove(id(1)));  // id(4) moves
    EXPECT_EQ(due_sorted(kBookT0 + 1h), (std::vector<std::string>{id(3), id(4)}));
    book.set_end(id(4), kBookT0 + 2h);
    EXPECT_EQ(due_sorted(kBookT0 + 1h), (std::vector<std::string>{id(3)}));
    EXPECT_EQ(due_sorted(kBookT0 + 2h), (std::vector<std::string>{id(3), id(4), id(5)}));
    ASSERT_TRUE(book.remove(id(5)));
    ASSERT_TRUE(book.remove(id(3)));
    EXPECT_EQ(book.next_end(), kBookT0 + 2h);
    ASSERT_TRUE(book.remove(id(4)));
    EXPECT_FALSE(book.next_end());
    EXPECT_TRUE(book.due(kBookT0 + 3h).empty());
}
TEST(GrantBook, ElementCarriesCommentAndRemainingTime) {
    LiveGrant g = grant("g-00000000000a", "alice", "203.0.113.7", config::Protocol::tcp, 22, 1h);
    nft::Element e = element_of(g, g.keys()[0], kBookT0 + 10min);
    EXPECT_EQ(e.timeout, 50min);
    EXPECT_EQ(e.comment, "jitd:g-00000000000a:1001:1800000000");
    EXPECT_EQ(e.key.source.str(), "203.0.113.7");
}

nft::ListedElement listed(const char* source, nft::L4 proto, std::uint16_t port,
                          std::string comment, std::chrono::milliseconds timeout,
                          std::chrono::milliseconds remaining) {
    nft::ListedElement e;
    e.key = {to_prefix(cidr(source)), proto, port};
    e.comment = std::move(comment);
    e.timeout = timeout;
    e.remaining = remaining;
    return e;
}

// alice is 1001, bob 1002; 1003 has no passwd entry.
const OwnerLookup kOwners{[](const std::string& name) -> std::optional<uid_t> {
                              if (name == "alice") return 1001;
                              if (name == "bob") return 1002;
                              return std::nullopt;
                          },
                          [](uid_t uid) -> std::string {
                              if (uid == 1001) return "alice";
                              if (uid == 1002) return "bob";
                              return "#" + std::to_string(uid);
                          }};

// The reason rides in the comment (B1: it used to be lost on a restart).
TEST(GrantBook, ReasonSurvivesTheRoundTripThroughTheKernel) {
    LiveGrant g = grant("g-00000000000f", "alice", "203.0.113.7", config::Protocol::tcp, 22, 1h);
    g.grant.reason = "INC-4521: restart nginx";
    nft::Element e = element_of(g, g.keys()[0], kBookT0);
    EXPECT_EQ(e.comment, "jitd:g-00000000000f:1001:1800000000:r=INC-4521%3A+restart+nginx");
    Rebuilt r = rebuild_grants({listed("203.0.113.7", nft::L4::tcp, 22, e.comment, 1h, 1h)},
                               Ms(kBookT0) + 100ms, kOwners);
    ASSERT_EQ(r.grants.size(), 1u);
    EXPECT_EQ(r.grants[0].grant.reason, g.grant.reason);

    // Too long for the comment: the start of it, marked, and stable when written again.
    g.grant.reason = std::string(200, 'x');
    const std::string cut = element_of(g, g.keys()[0], kBookT0).comment;
    EXPECT_LE(cut.size(), kMaxComment);
    r = rebuild_grants({listed("203.0.113.7", nft::L4::tcp, 22, cut, 1h, 1h)}, Ms(kBookT0) + 100ms,
                       kOwners);
    ASSERT_EQ(r.grants.size(), 1u);
    const std::string& shown = r.grants[0].grant.reason;
    ASSERT_TRUE(shown.ends_with(kCutMark)) << shown;
    const std::string kept = shown.substr(0, shown.size() - kCutMark.size());
    EXPECT_GT(kept.size(), 40u);
    EXPECT_EQ(kept, g.grant.reason.substr(0, kept.size()));
    EXPECT_EQ(element_of(r.grants[0], g.keys()[0], kBookT0).comment, cut);
}

TEST(GrantBook, RebuildJoinsTcpAndUdpIntoAny) {
    // Listed 10 minutes and 300 ms after a start at kBookT0 (the element was added at kBookT0 +
    // 0.3s).
    Ms now = Ms(kBookT0) + 10min + 300ms;
    std::vector<nft::ListedElement> els{
        listed("10.0.0.0/24", nft::L4::tcp, 5985, "jitd:g-00000000000b:1001:1800000000", 1h, 50min),
        listed("10.0.0.0/24", nft::L4::udp, 5985, "jitd:g-00000000000b:1001:1800000000", 1h, 50min),
        listed("203.0.113.7", nft::L4::tcp, 22, "jitd:g-00000000000c:1002:1800000000", 30min,
               20min),
    };
    Rebuilt r = rebuild_grants(els, now, kOwners);
    ASSERT_EQ(r.grants.size(), 2u);
    EXPECT_TRUE(r.strays.empty());
    const LiveGrant& any = r.grants[0];
    EXPECT_EQ(any.grant.id, "g-00000000000b");
    EXPECT_EQ(any.grant.protocol, config::Protocol::any);
    EXPECT_EQ(any.keys().size(), 2u);
    EXPECT_EQ(any.grant.user, "alice");
    EXPECT_EQ(any.grant.uid, 1001u);
    EXPECT_EQ(any.grant.source, "10.0.0.0/24");
    EXPECT_EQ(any.grant.port, 5985);
    EXPECT_EQ(any.grant.start, kBookT0);
    EXPECT_EQ(any.grant.end, kBookT0 + 1h);
    const LiveGrant& tcp = r.grants[1];
    EXPECT_EQ(tcp.grant.protocol, config::Protocol::tcp);
    EXPECT_EQ(tcp.grant.end, kBookT0 + 30min);
    EXPECT_EQ(tcp.grant.reason, "");

    GrantBook book;
    for (auto& g : r.grants) book.add(std::move(g));
    EXPECT_EQ(book.size(), 2u);
    EXPECT_EQ(book.active_on(5985, config::Protocol::udp), 1u);
}

TEST(GrantBook, RebuildOfAnExtendedGrantUsesTheKernelExpiry) {
    // Started at kBookT0 with 1h, extended at kBookT0 + 40min by 1h: the kernel says 1h timeout and
    // 59m59.5s left when listed at kBookT0 + 40m0.8s.
    Ms now = Ms(kBookT0) + 40min + 800ms;
    std::vector<nft::ListedElement> els{listed("203.0.113.9", nft::L4::tcp, 22,
                                               "jitd:g-00000000000d:1001:1800000000", 1h,
                                               59min + 59s + 500ms)};
    Rebuilt r = rebuild_grants(els, now, kOwners);
    ASSERT_EQ(r.grants.size(), 1u);
    EXPECT_EQ(r.grants[0].grant.start, kBookT0);
    EXPECT_EQ(r.grants[0].grant.end, kBookT0 + 40min + 1h);
}

TEST(GrantBook, RebuildSetsAsideForeignAndSpentElements) {
    Ms now = Ms(kBookT0) + 1h;
    std::vector<nft::ListedElement> els{
        listed("198.51.100.1", nft::L4::tcp, 22, "", 1h, 10min),
        listed("198.51.100.2", nft::L4::tcp, 22, "added by hand", 1h, 10min),
        listed("198.51.100.3", nft::L4::tcp, 22, "jitd:g-00000000000e:1001:1800000000", 1h, 0ms),
    };
    Rebuilt r = rebuild_grants(els, now, kOwners);
    EXPECT_TRUE(r.grants.empty());
    EXPECT_EQ(r.strays.size(), 2u);
    EXPECT_EQ(r.spent.size(), 1u);
}

TEST(GrantBook, RebuildNamesOwnersByUid) {
    Ms now = Ms(kBookT0) + 1min;
    std::vector<nft::ListedElement> els{
        listed("198.51.100.1", nft::L4::tcp, 22, "jitd:g-000000000011:1002:1800000000", 1h, 59min),
        listed("198.51.100.2", nft::L4::tcp, 22, "jitd:g-000000000012:1003:1800000000", 1h, 59min),
    };
    Rebuilt r = rebuild_grants(els, now, kOwners);
    ASSERT_EQ(r.grants.size(), 2u);
    EXPECT_EQ(r.grants[0].grant.uid, 1002u);
    EXPECT_EQ(r.grants[0].grant.user, "bob");
    EXPECT_EQ(r.grants[1].grant.uid, 1003u);
    EXPECT_EQ(r.grants[1].grant.user, "#1003") << "a uid without a passwd entry";
    EXPECT_EQ(r.legacy, 0u);
}

// Elements of the previous release ("jitd:<id>:<name>:<start>") are rebuilt after an upgrade
// when the name is portable and still known; anything else is a stray.
TEST(GrantBook, RebuildReadsThePreviousReleaseFormat) {
    Ms now = Ms(kBookT0) + 1min;
    std::vector<nft::ListedElement> els{
        listed("198.51.100.1", nft::L4::tcp, 22, "jitd:g-000000000021:alice:1800000000", 1h, 59min),
        listed("198.51.100.2", nft::L4::tcp, 22, "jitd:g-000000000022:mallory:1800000000", 1h,
               59min),
        listed("198.51.100.3", nft::L4::tcp, 22, "jitd:g-000000000023:a\"b:1800000000", 1h, 59min),
        listed("198.51.100.4", nft::L4::tcp, 22, "jitd:g-000000000024:a:b:1800000000", 1h, 59min),
    };
    Rebuilt r = rebuild_grants(els, now, kOwners);
    ASSERT_EQ(r.grants.size(), 1u);
    EXPECT_EQ(r.grants[0].grant.id, "g-000000000021");
    EXPECT_EQ(r.grants[0].grant.uid, 1001u);
    EXPECT_EQ(r.grants[0].grant.user, "alice");
    EXPECT_EQ(r.grants[0].grant.start, kBookT0);
    EXPECT_EQ(r.grants[0].grant.end, kBookT0 + 1h);
    EXPECT_EQ(r.legacy, 1u);
    ASSERT_EQ(r.strays.size(), 3u) << "unknown name, unportable name, name with ':'";
    for (const auto& s : r.strays) EXPECT_TRUE(claims_jitd(s.comment));
}

}  // namespace
}  // namespace jitd::agent
