// The two-person rule's pure parts: the approval ops' parsing and role, who may see and decide
// a pending request, and a request's kernel encoding (pending_elements.hpp) both ways.
#include <gtest/gtest.h>

#include "agent/daemon/approval_rules.hpp"
#include "agent/daemon/op_table.hpp"
#include "agent/daemon/pending_elements.hpp"
#include "agent/daemon/request.hpp"
#include "config/policy_loader.hpp"

namespace jitd::agent {
namespace {

using namespace std::chrono_literals;

const config::Policy kPolicy = config::parse_policy(R"(
ports:
  - port: 22
    protocol: tcp
    approval: {approvers: {users: [bob], groups: [secops]}}
  - port: 80
    protocol: tcp
  - port: 23
    protocol: tcp
    approval: {approvers: {users: [bob]}, admins_bypass: true}
access:
  requesters: {users: [alice, bob]}
)",
                                                    "p.yaml");

Peer peer(const std::string& name, uid_t uid, std::vector<std::string> groups = {}) {
    return Peer{uid, uid, 0, name, std::move(groups)};
}

PendingRequest request_of(uid_t uid, std::uint16_t port = 22) {
    PendingRequest p;
    p.id = "r-00000000002a";
    p.user = "alice";
    p.uid = uid;
    p.port = port;
    p.source = "203.0.113.7/32";
    p.duration = 1h;
    p.required = 2;
    return p;
}

TEST(ApprovalOps, ParseStrictly) {
    auto p = parse_request(R"({"op":"approve","id":"r-00000000002a","reason":"ok"})");
    ASSERT_TRUE(p) << p.error;
    EXPECT_EQ(p.request.op, Op::approve);
    EXPECT_EQ(p.request.id, "r-00000000002a");
    EXPECT_EQ(p.request.reason, "ok");
    EXPECT_TRUE(parse_request(R"({"op":"pending"})"));
    EXPECT_EQ(parse_request(R"({"op":"reject"})").error, "id is missing");
    EXPECT_EQ(parse_request(R"({"op":"approve","id":7})").error, "id must be a string");
    EXPECT_FALSE(parse_request(R"({"op":"cancel","id":"r-00000000002a","reason":"x"})"));
    EXPECT_FALSE(parse_request(R"({"op":"approve","id":"r-00000000002a","reason":"a\nb"})"));
    EXPECT_FALSE(parse_request(R"({"op":"pending","id":"r-00000000002a"})"));
}

TEST(ApprovalOps, AnyPeerMaySendThemTheHandlerDecides) {
    for (Op op : {Op::pending, Op::approve, Op::reject, Op::cancel})
        for (Role r : {Role::none, Role::viewer, Role::requester, Role::admin})
            EXPECT_TRUE(may_run(r, op)) << to_string(op) << " " << to_string(r);
    EXPECT_FALSE(may_run(Role::none, Op::list)) << "the other ops keep their roles";
}

TEST(ApprovalRules, WhoNeedsAndWhoDecides) {
    EXPECT_NE(approval_for(kPolicy, 22, std::nullopt), nullptr);
    EXPECT_NE(approval_for(kPolicy, 22, config::Protocol::tcp), nullptr);
    EXPECT_EQ(approval_for(kPolicy, 80, std::nullopt), nullptr);
    EXPECT_EQ(approval_for(kPolicy, 9999, std::nullopt), nullptr);
    EXPECT_TRUE(needs_approval(approval_for(kPolicy, 22, std::nullopt), Role::admin));
    EXPECT_FALSE(needs_approval(approval_for(kPolicy, 23, std::nullopt), Role::admin));
    EXPECT_TRUE(needs_approval(approval_for(kPolicy, 23, std::nullopt), Role::requester));
    const auto& a = *approval_for(kPolicy, 22, std::nullopt);
    EXPECT_TRUE(is_approver(a, peer("bob", 2)));
    EXPECT_TRUE(is_approver(a, peer("carol", 3, {"carol", "secops"})));
    EXPECT_FALSE(is_approver(a, peer("dave", 4, {"dave"})));

    const PendingRequest p = request_of(1);
    EXPECT_FALSE(check_decide(kPolicy, &p, p.id, peer("bob", 2), Role::requester, true));
    EXPECT_EQ(check_decide(kPolicy, &p, p.id, peer("alice", 1), Role::admin, true)->code,
              wire::ErrorCode::not_authorized);
    EXPECT_EQ(check_decide(kPolicy, &p, p.id, peer("dave", 4), Role::requester, false)->code,
              wire::ErrorCode::not_authorized);
    EXPECT_FALSE(check_decide(kPolicy, &p, p.id, peer("root", 0), Role::admin, true));
    EXPECT_EQ(check_decide(kPolicy, nullptr, p.id, peer("bob", 2), Role::admin, true)->code,
              wire::ErrorCode::not_found);
    PendingRequest once = p;
    once.approvals.push_back({"bob", 2});
    EXPECT_EQ(check_decide(kPolicy, &once, p.id, peer("bob", 2), Role::requester, true)->code,
              wire::ErrorCode::already_approved);
    EXPECT_FALSE(check_decide(kPolicy, &once, p.id, peer("bob", 2), Role::requester, false))
        << "an approver may still reject";

    EXPECT_FALSE(check_cancel(&p, p.id, peer("alice", 1), Role::requester));
    EXPECT_EQ(check_cancel(&p, p.id, peer("bob", 2), Role::requester)->code,
              wire::ErrorCode::not_authorized);
    EXPECT_FALSE(check_cancel(&p, p.id, peer("root", 0), Role::admin));

    EXPECT_TRUE(may_see(kPolicy, p, peer("alice", 1), Role::requester));
    EXPECT_TRUE(may_see(kPolicy, p, peer("carol", 3, {"secops"}), Role::none));
    EXPECT_FALSE(may_see(kPolicy, p, peer("dave", 4), Role::requester));
    EXPECT_TRUE(may_see(kPolicy, p, peer("root", 0), Role::admin));
}

TEST(PendingElements, KeysCarryTheIdAndASlot) {
    const auto k0 = pending_key("r-0123456789ab", 0), k3 = pending_key("r-0123456789ab", 3);
    ASSERT_TRUE(k0 && k3);
    EXPECT_EQ(*k0, 0x0123456789ab0000ULL);
    EXPECT_EQ(request_id_of(*k3), "r-0123456789ab");
    EXPECT_EQ(slot_of(*k3), 3u);
    EXPECT_FALSE(pending_key("g-0123456789ab", 0));
    EXPECT_FALSE(pending_key("r-0123456789ab", kMaxApprovalSlots + 1));
}

TEST(PendingElements, ARequestPrintsAndParsesBack) {
    PendingRequest p = request_of(1001, 5985);
    p.protocol = config::Protocol::any;
    p.source = "2001:db8:99::/64";
    p.reason = "INC-4521: restart nginx";
    p.requested = wire::SysSeconds(1800000000s);
    p.channel = "remote";
    const std::string c = format_pending_comment(p);
    EXPECT_LE(c.size(), 127u);
    EXPECT_EQ(
        c, "jitd-r:1001:5985:a:3600:1800000000:2:r:2001:db8:99::/64:r=INC-4521%3A+restart+nginx");
    const auto back = parse_pending_comment(c);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->uid, 1001u);
    EXPECT_EQ(back->source, p.source);
    EXPECT_EQ(back->reason, p.reason);
    EXPECT_EQ(back->protocol, config::Protocol::any);
    EXPECT_EQ(back->channel, "remote");
    EXPECT_EQ(back->required, 2u);
    EXPECT_EQ(back->duration, 1h);
    EXPECT_EQ(format_pending_comment(*back), c);
}

TEST(PendingElements, ALongReasonIsKeptCut) {
    PendingRequest p = request_of(4294967294u);
    p.source = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128";
    p.reason = std::string(256, 'x');
    const std::string c = format_pending_comment(p);
    EXPECT_LE(c.size(), 127u);
    const auto back = parse_pending_comment(c);
    ASSERT_TRUE(back) << c;
    EXPECT_TRUE(back->reason_cut);
    EXPECT_GE(back->reason.size(), 20u);
    EXPECT_EQ(p.reason.substr(0, back->reason.size()), back->reason);
}

TEST(PendingElements, RefusesAnythingElse) {
    for (const char* bad :
         {"", "jitd-r:", "jitd:g-0123456789ab:1:2", "jitd-r:1:22:t:600:1800000000:0:s:10.0.0.1/32",
          "jitd-r:1:22:x:600:1800000000:1:s:10.0.0.1/32",
          "jitd-r:1:22:t:600:1800000000:1:s:10.0.0.1",
          "jitd-r:1:22:t:600:1800000000:1:q:10.0.0.1/32",
          "jitd-r:01:22:t:600:1800000000:1:s:10.0.0.1/32",
          "jitd-r:1:0:t:600:1800000000:1:s:10.0.0.1/32",
          "jitd-r:1:22:t:600:1800000000:1:s:10.0.0.1/24",
          "jitd-r:1:22:t:600:1800000000:1:s:10.0.0.1/32:r=a b"})
        EXPECT_FALSE(parse_pending_comment(bad)) << bad;
    EXPECT_EQ(parse_approval_comment("jitd-a:1002:1800000100"), 1002u);
    EXPECT_FALSE(parse_approval_comment("jitd-a:1002"));
    EXPECT_FALSE(parse_approval_comment("jitd-a:-1:1800000100"));
}

TEST(PendingElements, RebuildGroupsRequestsAndTheirApprovals) {
    PendingRequest p = request_of(1001);
    p.id = "r-0123456789ab";
    p.requested = wire::SysSeconds(1800000000s);
    p.lapses = p.requested + 15min;
    p.approvals.push_back({"bob", 1002});
    const auto now = p.requested + 5min;
    auto elements = elements_of(p, now);
    ASSERT_EQ(elements.size(), 2u);
    for (auto& e : elements) e.remaining = e.timeout;
    elements.push_back({*pending_key("r-ffffffffffff", 1), 1min, 1min, "jitd-a:7:1"});  // orphan
    elements.push_back({*pending_key("r-eeeeeeeeeeee", 0), 1min, 1min, "garbage"});
    const auto rebuilt = rebuild_pending_requests(elements, now);
    ASSERT_EQ(rebuilt.requests.size(), 1u);
    const PendingRequest& r = rebuilt.requests[0];
    EXPECT_EQ(r.id, p.id);
    EXPECT_EQ(r.lapses, p.lapses);
    ASSERT_EQ(r.approvals.size(), 1u);
    EXPECT_EQ(r.approvals[0].uid, 1002u);
    EXPECT_EQ(rebuilt.strays.size(), 2u);
}

}  // namespace
}  // namespace jitd::agent
