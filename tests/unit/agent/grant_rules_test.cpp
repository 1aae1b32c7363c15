// The policy's verdicts on open/extend/revoke: one test per refusal code, plus supersede and
// the prefix/host rules.
#include <gtest/gtest.h>

#include "agent/daemon/grant_rules.hpp"
#include "config/policy_loader.hpp"

namespace jitd::agent {
namespace {

using namespace std::chrono_literals;
using wire::ErrorCode;

const wire::SysSeconds kNow{std::chrono::seconds{1800000000}};

config::Policy policy(const std::string& extra = "") {
    return config::parse_policy(R"(
ports:
  - port: 22
    protocol: tcp
    max_duration: 1h
  - port: 5985
    protocol: any
    max_duration: 3h
  - port: 3389
    protocol: tcp
    allowed_sources: [10.0.0.0/8, 2001:db8::/32]
limits:
  max_grants_per_user: 2
  widest_source: {ipv4: 16, ipv6: 48}
)" + extra,
                                "t.yaml");
}

const Actor kAlice{"alice", 1001, false};
const Actor kBob{"bob", 1002, false};
const Actor kRoot{"root", 0, true};

OpenRequest req(std::uint16_t port, const char* source, std::chrono::seconds d = 10min,
                std::optional<config::Protocol> p = std::nullopt) {
    return OpenRequest{port, p, source, d, ""};
}

Refusal refused(const std::variant<Refusal, OpenPlan>& v) {
    EXPECT_TRUE(std::holds_alternative<Refusal>(v)) << "expected a refusal";
    return std::holds_alternative<Refusal>(v) ? std::get<Refusal>(v) : Refusal{};
}

OpenPlan planned(const std::variant<Refusal, OpenPlan>& v) {
    if (auto* r = std::get_if<Refusal>(&v)) ADD_FAILURE() << r->message;
    return std::holds_alternative<OpenPlan>(v) ? std::get<OpenPlan>(v) : OpenPlan{};
}

// Puts a planned grant into the book under `id`.
void hold(GrantBook& book, OpenPlan plan, const std::string& id) {
    plan.grant.grant.id = id;
    book.add(std::move(plan.grant));
}

TEST(GrantRules, OpensWithThePortsProtocolWhenOmitted) {
    GrantBook book;
    auto p = planned(check_open(policy(), book, kAlice, req(5985, "203.0.113.7"), kNow));
    EXPECT_EQ(p.grant.grant.protocol, config::Protocol::any);
    EXPECT_EQ(p.grant.keys().size(), 2u);
    EXPECT_EQ(p.grant.grant.source, "203.0.113.7/32");
    EXPECT_EQ(p.grant.grant.user, "alice");
    EXPECT_EQ(p.grant.grant.start, kNow);
    EXPECT_EQ(p.grant.grant.end, kNow + 10min);
    EXPECT_FALSE(p.supersedes);
    auto tcp = planned(check_open(policy(), book, kAlice,
                                  req(5985, "203.0.113.7", 10min, config::Protocol::tcp), kNow));
    EXPECT_EQ(tcp.grant.keys().size(), 1u);
}

TEST(GrantRules, PortNotProtected) {
    GrantBook book;
    auto r = refused(check_open(policy(), book, kAlice, req(23, "203.0.113.7"), kNow));
    EXPECT_EQ(r.code, ErrorCode::port_not_protected);
    auto u = refused(check_open(policy(), book, kAlice,
                                req(22, "203.0.113.7", 10min, config::Protocol::udp), kNow));
    EXPECT_EQ(u.code, ErrorCode::port_not_protected);
    EXPECT_NE(u.message.find("22/udp"), std::string::npos) << u.message;
}

TEST(GrantRules, InvalidSource) {
    GrantBook book;
    for (const char* s : {"", "nonsense", "300.1.1.1", "10.0.0.1/8", "10.0.0.0/33", "::g",
                          "::ffff:203.0.113.7", "::ffff:203.0.113.0/120"}) {
        auto r = refused(check_open(policy(), book, kAlice, req(22, s), kNow));
        EXPECT_EQ(r.code, ErrorCode::invalid_source) << s;
    }
}

TEST(GrantRules, SourceNotAllowed) {
    GrantBook book;
    // Outside the allowed networks of 3389.
    auto r = refused(check_open(policy(), book, kAlice, req(3389, "11.0.0.1"), kNow));
    EXPECT_EQ(r.code, ErrorCode::source_not_allowed);
    // Wider than an allowed network, though overlapping it.
    EXPECT_EQ(refused(check_open(policy(), book, kAlice, req(3389, "0.0.0.0/0"), kNow)).code,
              ErrorCode::source_not_allowed);
    // Wider than widest_source under `any`.
    EXPECT_EQ(refused(check_open(policy(), book, kAlice, req(22, "10.0.0.0/15"), kNow)).code,
              ErrorCode::source_not_allowed);
    EXPECT_EQ(refused(check_open(policy(), book, kAlice, req(22, "2001:db8::/47"), kNow)).code,
              ErrorCode::source_not_allowed);
    // Inside: a host, a narrower prefix, and the widest allowed.
    for (std::pair<std::uint16_t, const char*> ok :
         {std::pair<std::uint16_t, const char*>{3389, "10.1.2.3"},
          {3389, "10.1.0.0/16"},
          {3389, "2001:db8:5::/48"},
          {22, "10.0.0.0/16"},
          {22, "2001:db8::/48"}}) {
        GrantBook empty;
        planned(check_open(policy(), empty, kAlice, req(ok.first, ok.second), kNow));
    }
}

// Issue 11, finding 13: widest_source bounds every grant, not only those under `any`; a listed
// network wider than the limit (here 0.0.0.0/0 and ::/0) does not make a wider grant possible.
TEST(GrantRules, WidestSourceHoldsForListedSourcesToo) {
    auto open_world = config::parse_policy(R"(
ports:
  - port: 22
    protocol: tcp
    allowed_sources: [0.0.0.0/0, ::/0]
limits:
  widest_source: {ipv4: 16, ipv6: 48}
)",
                                           "t.yaml");
    for (const char* wide : {"0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/15", "::/0", "2001:db8::/32"}) {
        GrantBook book;
        auto r = refused(check_open(open_world, book, kAlice, req(22, wide), kNow));
        EXPECT_EQ(r.code, ErrorCode::source_not_allowed) << wide;
        EXPECT_NE(r.message.find("wider than the widest grant allowed"), std::string::npos)
            << r.message;
    }
    GrantBook book;
    EXPECT_EQ(refused(check_open(policy(), book, kAlice, req(3389, "10.0.0.0/8"), kNow)).code,
              ErrorCode::source_not_allowed);
    planned(check_open(open_world, book, kAlice, req(22, "10.0.0.0/16"), kNow));
    planned(check_open(open_world, book, kAlice, req(22, "2001:db8::/48"), kNow));
}

// Issue 11, finding 12: a link-local grant would match that address on every interface.
TEST(GrantRules, LinkLocalSourcesNeedThePolicysConsent) {
    for (const char* s : {"169.254.1.2", "169.254.0.0/16", "169.254.7.0/24", "fe80::1", "fe80::/64",
                          "febf:ffff::1"}) {
        GrantBook book;
        auto r = refused(check_open(policy(), book, kAlice, req(22, s), kNow));
        EXPECT_EQ(r.code, ErrorCode::invalid_source) << s;
        EXPECT_NE(r.message.find("link-local"), std::string::npos) << r.message;
        EXPECT_NE(r.message.find("allow_link_local"), std::string::npos) << r.message;
    }
    auto allowing = policy("  allow_link_local: true\n");
    EXPECT_TRUE(allowing.limits.allow_link_local);
    GrantBook book;
    auto p = planned(check_open(allowing, book, kAlice, req(22, "fe80::1"), kNow));
    hold(book, p, "g-00000000001a");
    EXPECT_EQ(disallowed_by(allowing, *book.find("g-00000000001a")), "");
    EXPECT_NE(disallowed_by(policy(), *book.find("g-00000000001a")).find("link-local"),
              std::string::npos);
    // Neighbours are ordinary addresses.
    for (const char* s : {"169.253.255.255", "169.255.0.1", "fec0::1", "fe7f::1"}) {
        GrantBook empty;
        planned(check_open(policy(), empty, kAlice, req(22, s), kNow));
    }
}

TEST(GrantRules, DurationExceedsMax) {
    GrantBook book;
    auto r = refused(check_open(policy(), book, kAlice, req(22, "203.0.113.7", 1h + 1s), kNow));
    EXPECT_EQ(r.code, ErrorCode::duration_exceeds_max);
    EXPECT_NE(r.message.find("1h"), std::string::npos) << r.message;
    planned(check_open(policy(), book, kAlice, req(22, "203.0.113.7", 1h), kNow));
}

TEST(GrantRules, ReasonRequired) {
    GrantBook book;
    auto strict = policy("require_reason: true\n");
    EXPECT_EQ(refused(check_open(strict, book, kAlice, req(22, "203.0.113.7"), kNow)).code,
              ErrorCode::reason_required);
    auto with = req(22, "203.0.113.7");
    with.reason = "ticket 4711";
    planned(check_open(strict, book, kAlice, with, kNow));
}

TEST(GrantRules, LimitReached) {
    GrantBook book;
    hold(book, planned(check_open(policy(), book, kAlice, req(22, "203.0.113.1"), kNow)),
         "g-000000000001");
    hold(book, planned(check_open(policy(), book, kAlice, req(22, "203.0.113.2"), kNow)),
         "g-000000000002");
    auto r = refused(check_open(policy(), book, kAlice, req(22, "203.0.113.3"), kNow));
    EXPECT_EQ(r.code, ErrorCode::limit_reached);
    // Another user is not counted against alice, and a supersede of her own adds nothing.
    planned(check_open(policy(), book, kBob, req(22, "203.0.113.3"), kNow));
    auto again = planned(check_open(policy(), book, kAlice, req(22, "203.0.113.2", 30min), kNow));
    EXPECT_EQ(again.supersedes, "g-000000000002");
}

TEST(GrantRules, SupersedeOwnAndAdminAnyButNotAnothers) {
    GrantBook book;
    hold(book, planned(check_open(policy(), book, kAlice, req(22, "203.0.113.7"), kNow)),
         "g-00000000000a");
    auto own = planned(check_open(policy(), book, kAlice, req(22, "203.0.113.7", 20min), kNow));
    EXPECT_EQ(own.supersedes, "g-00000000000a");
    EXPECT_EQ(own.grant.grant.end, kNow + 20min);
    auto admin = planned(check_open(policy(), book, kRoot, req(22, "203.0.113.7"), kNow));
    EXPECT_EQ(admin.supersedes, "g-00000000000a");
    EXPECT_EQ(admin.grant.grant.user, "root");
    auto other = refused(check_open(policy(), book, kBob, req(22, "203.0.113.7"), kNow));
    EXPECT_EQ(other.code, ErrorCode::overlaps_grant);
    EXPECT_NE(other.message.find("g-00000000000a"), std::string::npos) << other.message;
}

TEST(GrantRules, OverlapsGrant) {
    GrantBook book;
    hold(book, planned(check_open(policy(), book, kAlice, req(5985, "10.0.0.0/24"), kNow)),
         "g-00000000000b");
    // A prefix overlapping a live prefix on the same port: refused, naming it.
    auto r = refused(check_open(policy(), book, kBob, req(5985, "10.0.0.0/23"), kNow));
    EXPECT_EQ(r.code, ErrorCode::overlaps_grant);
    EXPECT_NE(r.message.find("g-00000000000b"), std::string::npos) << r.message;
    EXPECT_EQ(refused(check_open(policy(), book, kAlice, req(5985, "10.0.0.128/25"), kNow)).code,
              ErrorCode::overlaps_grant);
    // Same prefix, same port, another protocol than the live `any` grant: overlaps its element.
    EXPECT_EQ(refused(check_open(policy(), book, kAlice,
                                 req(5985, "10.0.0.0/24", 10min, config::Protocol::tcp), kNow))
                  .code,
              ErrorCode::overlaps_grant);
    // A host inside the prefix gets a grant of its own; so does a prefix on another port.
    auto host = planned(check_open(policy(), book, kBob, req(5985, "10.0.0.7"), kNow));
    EXPECT_FALSE(host.supersedes);
    planned(check_open(policy(), book, kBob, req(22, "10.0.0.0/23"), kNow));
    // The same prefix again (same user, same protocol) supersedes instead.
    auto same = planned(check_open(policy(), book, kAlice, req(5985, "10.0.0.0/24"), kNow));
    EXPECT_EQ(same.supersedes, "g-00000000000b");
}

// Whose grant it is was decided before these run (check_owner, tests/unit/agent/authz_test.cpp).
TEST(GrantRules, RevokeAndExtend) {
    GrantBook book;
    hold(book, planned(check_open(policy(), book, kAlice, req(22, "203.0.113.7"), kNow)),
         "g-00000000000c");
    const LiveGrant* g = book.find("g-00000000000c");
    EXPECT_EQ(check_revoke(nullptr, "g-000000000999")->code, ErrorCode::not_found);
    EXPECT_FALSE(check_revoke(g, g->grant.id));

    EXPECT_EQ(check_extend(policy(), nullptr, "g-000000000999", 10min)->code, ErrorCode::not_found);
    EXPECT_FALSE(check_extend(policy(), g, g->grant.id, 1h));
    EXPECT_EQ(check_extend(policy(), g, g->grant.id, 1h + 1s)->code,
              ErrorCode::duration_exceeds_max);
    auto without22 = config::parse_policy("ports:\n  - port: 2222\n", "t.yaml");
    EXPECT_EQ(check_extend(without22, g, g->grant.id, 10min)->code, ErrorCode::port_not_protected);
}

// Owners are uids: a renamed user keeps their grants, another uid that has (or takes) the
// name does not get them, and the per-user limit counts uids.
TEST(GrantRules, OwnersAreComparedByUid) {
    GrantBook book;
    hold(book, planned(check_open(policy(), book, kAlice, req(22, "203.0.113.7"), kNow)),
         "g-00000000000d");
    const Actor renamed{"alice2", 1001, false};
    const Actor impostor{"alice", 1009, false};
    // The same source again: the impostor may not supersede, the renamed owner may.
    EXPECT_EQ(refused(check_open(policy(), book, impostor, req(22, "203.0.113.7"), kNow)).code,
              ErrorCode::overlaps_grant);
    auto again = planned(check_open(policy(), book, renamed, req(22, "203.0.113.7"), kNow));
    EXPECT_EQ(again.supersedes, "g-00000000000d");
    // The limit (2) is per uid: a second grant for uid 1001 under its new name is the last.
    hold(book, planned(check_open(policy(), book, renamed, req(22, "203.0.113.8"), kNow)),
         "g-00000000000e");
    EXPECT_EQ(refused(check_open(policy(), book, kAlice, req(22, "203.0.113.9"), kNow)).code,
              ErrorCode::limit_reached);
    EXPECT_TRUE(std::holds_alternative<OpenPlan>(
        check_open(policy(), book, impostor, req(22, "203.0.113.9"), kNow)));
}

TEST(GrantRules, DisallowedByANewPolicy) {
    GrantBook book;
    hold(book, planned(check_open(policy(), book, kAlice, req(3389, "10.1.0.0/16"), kNow)),
         "g-00000000000d");
    hold(book, planned(check_open(policy(), book, kAlice, req(5985, "203.0.113.7"), kNow)),
         "g-00000000000e");
    const LiveGrant& rdp = *book.find("g-00000000000d");
    const LiveGrant& winrm = *book.find("g-00000000000e");
    EXPECT_EQ(disallowed_by(policy(), rdp), "");
    EXPECT_EQ(disallowed_by(policy(), winrm), "");
    auto narrower = config::parse_policy(R"(
ports:
  - port: 3389
    protocol: tcp
    allowed_sources: [10.2.0.0/16]
  - port: 5985
    protocol: tcp
)",
                                         "t.yaml");
    EXPECT_NE(disallowed_by(narrower, rdp).find("not inside"), std::string::npos);
    // An `any` grant whose udp half is no longer protected goes as a whole.
    EXPECT_NE(disallowed_by(narrower, winrm).find("5985/udp"), std::string::npos);
}

}  // namespace
}  // namespace jitd::agent
