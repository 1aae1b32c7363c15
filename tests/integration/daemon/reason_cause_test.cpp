// B4: JITD_REASON is the requester's justification on every event of a grant, and what ended
// the grant is JITD_CAUSE (requested, policy, expired, superseded).
#include <string>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using std::chrono::seconds;

class ReasonCause : public DaemonTest {};

json with_reason(json request, const std::string& reason) {
    request["reason"] = reason;
    return request;
}

TEST_F(ReasonCause, EveryEventOfAGrantCarriesItsReasonAndTheEndsACause) {
    auto& d = start();
    const auto& who = users().requester.id;
    auto a =
        d.request(with_reason(open_request(22, TestAddrs::client4, "1h"), "first: INC-1"), who);
    ASSERT_TRUE(is_ok(a));
    const std::string ida = a["grant"]["id"];
    ASSERT_TRUE(is_ok(d.request({{"op", "extend"}, {"id", ida}, {"duration", "30m"}}, who)));
    auto b = d.request(with_reason(open_request(22, TestAddrs::client4, "2s"), "second"), who);
    ASSERT_TRUE(is_ok(b));
    const std::string idb = b["grant"]["id"];
    EXPECT_EQ(b.value("superseded", ""), ida);

    auto g = journal_.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", ida}});
    ASSERT_TRUE(g) << journal_.dump();
    EXPECT_EQ(journal_field(*g, "JITD_REASON"), "first: INC-1");
    EXPECT_EQ(journal_field(*g, "JITD_CAUSE"), "") << "a grant has no cause to end";
    auto x = journal_.wait_for({{"JITD_EVENT", "extend"}, {"JITD_GRANT_ID", ida}});
    ASSERT_TRUE(x) << journal_.dump();
    EXPECT_EQ(journal_field(*x, "JITD_REASON"), "first: INC-1");
    auto s = journal_.wait_for({{"JITD_EVENT", "supersede"}, {"JITD_GRANT_ID", ida}});
    ASSERT_TRUE(s) << journal_.dump();
    EXPECT_EQ(journal_field(*s, "JITD_REASON"), "first: INC-1");
    EXPECT_EQ(journal_field(*s, "JITD_CAUSE"), "superseded");
    EXPECT_EQ(journal_field(*s, "JITD_SUPERSEDED_BY"), idb);

    auto e = journal_.wait_for({{"JITD_EVENT", "expire"}, {"JITD_GRANT_ID", idb}}, seconds(15));
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_REASON"), "second");
    EXPECT_EQ(journal_field(*e, "JITD_CAUSE"), "expired");
}

TEST_F(ReasonCause, RevokeAndAPolicyRevokeKeepTheReason) {
    auto& d = start();
    const auto& who = users().requester.id;
    auto a = d.request(with_reason(open_request(22, TestAddrs::client4, "1h"), "by hand"), who);
    auto b = d.request(with_reason(open_request(3389, TestAddrs::client4, "10s"), "rdp"), who);
    ASSERT_TRUE(is_ok(a) && is_ok(b));
    const std::string ida = a["grant"]["id"], idb = b["grant"]["id"];
    ASSERT_TRUE(is_ok(d.request({{"op", "revoke"}, {"id", ida}}, who)));
    auto r = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", ida}});
    ASSERT_TRUE(r) << journal_.dump();
    EXPECT_EQ(journal_field(*r, "JITD_REASON"), "by hand");
    EXPECT_EQ(journal_field(*r, "JITD_CAUSE"), "requested");

    // Drop port 3389: the reload revokes its grant for the policy.
    std::string policy = default_policy();
    const auto from = policy.find("  - port: 3389"), to = policy.find("  - port: 5985");
    ASSERT_TRUE(from != std::string::npos && to != std::string::npos);
    d.rewrite_policy(policy.substr(0, from) + policy.substr(to));
    ASSERT_TRUE(is_ok(d.request({{"op", "reload"}}, users().admin.id)));
    auto p = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", idb}});
    ASSERT_TRUE(p) << journal_.dump();
    EXPECT_EQ(journal_field(*p, "JITD_REASON"), "rdp");
    EXPECT_EQ(journal_field(*p, "JITD_CAUSE"), "policy");
}

}  // namespace
}  // namespace jitd::test
