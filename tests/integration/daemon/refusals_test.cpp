// Every refusal code of agent/PROTOCOL.md that a request can provoke, each answered with the
// exact error shape and journaled as a `deny` carrying JITD_ERROR. (request_too_large and
// too_many_connections are in hostile_input_test.cpp, policy_invalid in reload_test.cpp.)
#include <string>

#include "agent/audit_events.hpp"
#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

class Refusals : public DaemonTest {
  protected:
    // Sends `req` as `who`, expects `code`, and expects a deny entry with it for that uid.
    void expect_refusal(const json& req, const Identity& who, const std::string& code) {
        SCOPED_TRACE(req.dump() + " -> " + code);
        Journal mark;
        auto r = daemon().request(req, who);
        EXPECT_TRUE(is_error(r, code));
        auto e = mark.wait_for(
            {{"JITD_EVENT", "deny"}, {"JITD_ERROR", code}, {"JITD_UID", std::to_string(who.uid)}});
        ASSERT_TRUE(e) << "refusal not journaled\n" << mark.dump();
        EXPECT_EQ(journal_field(*e, "MESSAGE_ID"),
                  std::string(agent::audit_info(agent::AuditKind::deny).message_id));
        EXPECT_FALSE(journal_field(*e, "MESSAGE").empty());
        if (req.contains("op") && req["op"].is_string()) {
            EXPECT_EQ(journal_field(*e, "JITD_OP"), req["op"]);
        }
    }
};

TEST_F(Refusals, EachCodeIsAnsweredAndJournaled) {
    auto& d = start();
    const auto& req = users().requester.id;
    struct Case {
        json request;
        const char* code;
    };
    const Case cases[] = {
        {{{"op", "open"}, {"port", "22"}, {"source", "198.51.100.2"}, {"duration", "1h"}},
         "bad_request"},
        {open_request(22, "198.51.100.2", "0s"), "bad_request"},
        {open_request(22, "198.51.100.2", "an hour"), "bad_request"},
        {open_request(2222, "198.51.100.2", "1h"), "port_not_protected"},
        {open_request(22, "198.51.100.2", "1h", "udp"), "port_not_protected"},
        {open_request(22, "not-an-address", "1h"), "invalid_source"},
        {open_request(22, "300.1.2.3", "1h"), "invalid_source"},
        {open_request(22, "198.51.100.1/24", "1h"), "invalid_source"},  // host bits set
        {open_request(22, "2001:db8:99::1/64", "1h"), "invalid_source"},
        {open_request(3389, "10.1.2.3", "5s"), "source_not_allowed"},  // outside the list
        {open_request(5985, "198.51.100.2", "5s"), "source_not_allowed"},
        {open_request(22, "198.51.0.0/16", "1h"), "source_not_allowed"},  // wider than /24
        {open_request(22, "2001:db8::/48", "1h"), "source_not_allowed"},  // wider than /64
        {open_request(22, "198.51.100.2", "2h"), "duration_exceeds_max"},
        {open_request(3389, "198.51.100.2", "11s"), "duration_exceeds_max"},
        {{{"op", "revoke"}, {"id", "g-000000000000"}}, "not_found"},
        {{{"op", "extend"}, {"id", "g-000000000000"}, {"duration", "1m"}}, "not_found"},
    };
    for (const auto& c : cases) expect_refusal(c.request, req, c.code);
    expect_refusal(open_request(22, "198.51.100.2", "1h"), users().viewer.id, "not_authorized");
    expect_refusal({{"op", "reload"}}, users().requester.id, "not_authorized");
    EXPECT_TRUE(listed_ids(d.request({{"op", "list"}})).empty()) << "no refusal may open anything";
}

TEST_F(Refusals, LimitReachedPerUser) {
    auto& d = start();  // max_grants_per_user: 3
    const auto& req = users().requester.id;
    for (int i = 1; i <= 3; ++i)
        ASSERT_TRUE(
            is_ok(d.request(open_request(22, "198.51.100." + std::to_string(60 + i), "1h"), req)));
    expect_refusal(open_request(22, "198.51.100.64", "1h"), req, "limit_reached");
    // Another user is not affected by the requester's count.
    EXPECT_TRUE(is_ok(d.request(open_request(22, "198.51.100.64", "1h"), users().admin.id)));
    EXPECT_EQ(listed_ids(d.request({{"op", "list"}})).size(), 4u);
}

TEST_F(Refusals, OverlappingPrefixNamesTheGrant) {
    auto& d = start();
    const auto& req = users().requester.id;
    auto a = d.request(open_request(22, "198.51.100.0/30", "1h"), req);
    ASSERT_TRUE(is_ok(a));
    const std::string id = a["grant"]["id"];
    auto r = d.request(open_request(22, "198.51.100.0/29", "1h"), users().admin.id);
    ASSERT_TRUE(is_error(r, "overlaps_grant"));
    EXPECT_NE(r["error"]["message"].get<std::string>().find(id), std::string::npos) << r.dump();
    expect_refusal(open_request(22, "198.51.100.0/31", "1h"), req, "overlaps_grant");
    auto v6 = d.request(open_request(22, "2001:db8:99::/120", "1h"), req);
    ASSERT_TRUE(is_ok(v6));
    expect_refusal(open_request(22, "2001:db8:99::/124", "1h"), users().admin.id, "overlaps_grant");
    // The same prefix on another port does not overlap.
    EXPECT_TRUE(is_ok(d.request(open_request(3389, "198.51.100.0/29", "5s"), req)));
}

TEST_F(Refusals, ReasonRequired) {
    PolicyOptions o;
    o.access = users().access_yaml();
    o.require_reason = true;
    auto& d = start(make_policy(o));
    const auto& req = users().requester.id;
    expect_refusal(open_request(22, "198.51.100.2", "1h"), req, "reason_required");
    json empty = open_request(22, "198.51.100.2", "1h");
    empty["reason"] = "";
    expect_refusal(empty, req, "reason_required");
    json bad = open_request(22, "198.51.100.2", "1h");
    bad["reason"] = "line\nbreak";
    expect_refusal(bad, req, "bad_request");
    bad["reason"] = std::string(257, 'x');
    expect_refusal(bad, req, "bad_request");

    json good = open_request(22, "198.51.100.2", "1h");
    good["reason"] = std::string(255, 'y') + "z";  // 256 printable characters: allowed
    auto r = d.request(good, req);
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(r["grant"]["reason"], good["reason"]);
    auto e = journal_.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", r["grant"]["id"]}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "JITD_REASON"), good["reason"]);
    auto s = d.request({{"op", "status"}}, req);
    EXPECT_EQ(s["require_reason"], true);
}

}  // namespace
}  // namespace jitd::test
