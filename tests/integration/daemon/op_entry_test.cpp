// The entry every request goes through (Engine::submit and its op table), seen from outside:
// an open without duration gets the port's max_duration, the own-grants rule answers as
// before, and every journal entry a request causes names its channel (JITD_CHANNEL).
#include <string>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using std::chrono::seconds;

class OpEntry : public DaemonTest {};

json open_without_duration(int port, const std::string& source) {
    return {{"op", "open"}, {"port", port}, {"source", source}};
}

TEST_F(OpEntry, OpenWithoutDurationGetsThePortsMaxDuration) {
    auto& d = start();
    auto r = d.request(open_without_duration(22, TestAddrs::client4), users().requester.id);
    ASSERT_TRUE(is_ok(r));
    ASSERT_TRUE(is_grant(r["grant"]));
    EXPECT_EQ(grant_time(r["grant"], "end") - grant_time(r["grant"], "start"), seconds(3600))
        << "port 22's max_duration is 1h";
    auto rdp = d.request(open_without_duration(3389, TestAddrs::client4), users().requester.id);
    ASSERT_TRUE(is_ok(rdp));
    EXPECT_EQ(grant_time(rdp["grant"], "end") - grant_time(rdp["grant"], "start"), seconds(10));
    // A duration still is checked as before.
    EXPECT_TRUE(
        is_error(d.request(open_request(3389, TestAddrs::client4b, "11s"), users().requester.id),
                 "duration_exceeds_max"));
}

TEST_F(OpEntry, EveryEntryOfARequestNamesItsChannel) {
    auto& d = start();
    const auto& who = users().requester.id;
    auto first = d.request(open_request(22, TestAddrs::client4, "1h"), who);
    ASSERT_TRUE(is_ok(first));
    const std::string old_id = first["grant"]["id"];
    auto again = d.request(open_without_duration(22, TestAddrs::client4), who);
    ASSERT_TRUE(is_ok(again));
    ASSERT_EQ(again["superseded"], old_id);
    const std::string id = again["grant"]["id"];
    auto foreign = d.request({{"op", "revoke"}, {"id", id}}, users().admin.id);
    ASSERT_TRUE(is_ok(foreign)) << "an admin may revoke any grant";
    auto gone = d.request({{"op", "extend"}, {"id", id}, {"duration", "1m"}}, who);
    EXPECT_TRUE(is_error(gone, "not_found"));
    ASSERT_TRUE(is_ok(d.request({{"op", "reload"}})));

    for (const JournalMatch& m :
         std::vector<JournalMatch>{{{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", old_id}},
                                   {{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", id}},
                                   {{"JITD_EVENT", "supersede"}, {"JITD_GRANT_ID", old_id}},
                                   {{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", id}},
                                   {{"JITD_EVENT", "deny"}, {"JITD_OP", "extend"}},
                                   {{"JITD_EVENT", "reload"}}}) {
        auto e = journal_.wait_for(m);
        ASSERT_TRUE(e) << m.begin()->second << "\n" << journal_.dump();
        EXPECT_EQ(journal_field(*e, "JITD_CHANNEL"), "socket")
            << journal_field(*e, "JITD_EVENT") << ": " << e->dump();
    }
}

TEST_F(OpEntry, OwnGrantsOnlyIsDecidedByTheOwnersUid) {
    auto& d = start();
    auto r = d.request(open_request(22, TestAddrs::client4, "1h"), users().admin.id);
    ASSERT_TRUE(is_ok(r));
    const std::string id = r["grant"]["id"];
    for (const json& req : {json{{"op", "revoke"}, {"id", id}},
                            json{{"op", "extend"}, {"id", id}, {"duration", "1m"}}}) {
        auto refused = d.request(req, users().requester.id);
        ASSERT_TRUE(is_error(refused, "not_authorized")) << req.dump();
        EXPECT_EQ(refused["error"]["message"], "grant " + id + " belongs to " + users().admin.name);
    }
    auto e = journal_.wait_for_count(
        {{"JITD_EVENT", "deny"}, {"JITD_ERROR", "not_authorized"}, {"JITD_GRANT_ID", id}}, 2);
    EXPECT_EQ(e.size(), 2u) << journal_.dump();
    EXPECT_TRUE(find_grant(d.request({{"op", "list"}}), id)) << "the grant is untouched";
}

}  // namespace
}  // namespace jitd::test
