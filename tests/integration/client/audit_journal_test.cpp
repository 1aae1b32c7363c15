// `jit-request audit` against a real (private) journald: entries shaped like jitd's are written
// as jitd would (a root process named jitd), read back through the binary in each format, filtered,
// and refused to a user who may not read the journal. No daemon needed.
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "agent/audit_events.hpp"
#include "agent/wire/timefmt.hpp"
#include "tests/integration/client/client_test_support.hpp"
#include "tests/integration/client/journal_writer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {
namespace {

using json = nlohmann::json;

// User names unique to this process, so each test sees only its own entries.
std::string unique_user(const std::string& what) {
    return "aud" + std::to_string(::getpid()) + what;
}

// Writes an entry as jitd does, from a root process named jitd (the trust rule for a jitd
// started by hand). `writer` gets journald's fields of the sender and the entry's time.
void send_event(const std::string& event, const std::string& user, int port, const std::string& id,
                const std::string& reason = "", const std::string& error = "",
                const std::string& cause = "",
                std::map<std::string, std::string>* writer_out = nullptr) {
    const auto kind = agent::audit_kind_from_name(event);
    ASSERT_TRUE(kind) << event;
    const auto writer = journal_send_from(
        {"MESSAGE=jitd test event " + event, "SYSLOG_IDENTIFIER=jitd",
         "MESSAGE_ID=" + std::string(agent::audit_info(*kind).message_id), "JITD_EVENT=" + event,
         "JITD_USER=" + user, "JITD_UID=4242", "JITD_PORT=" + std::to_string(port),
         "JITD_PROTOCOL=tcp", "JITD_SOURCE=198.51.100.2/32", "JITD_GRANT_ID=" + id,
         "JITD_START=2026-11-23T14:00:00Z", "JITD_END=2026-11-23T15:00:00Z",
         "JITD_REASON=" + reason, "JITD_CAUSE=" + cause, "JITD_ERROR=" + error},
        "jitd");
    ASSERT_EQ(writer.at("_UID"), "0");
    ASSERT_EQ(writer.at("_COMM"), "jitd");
    if (writer_out) *writer_out = writer;
}

// Polls `audit --user U --format json` until it lists `n` events; returns them.
json wait_for_events(const std::string& user, std::size_t n) {
    json events = json::array();
    poll_until([&] {
        const auto r = jit_request({"audit", "--user", user, "--format", "json"});
        if (r.exit_code != 0) return false;
        events = json::parse(r.out);
        return events.size() >= n;
    });
    return events;
}

class AuditJournal : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root (a private journald, test users)";
    }
};

TEST_F(AuditJournal, JsonListsEventsOldestFirstWithNumericPorts) {
    const std::string u = unique_user("j");
    send_event("grant", u, 22, "g-00000000000a", "first");
    send_event("deny", u, 22, "", "", "duration_exceeds_max");
    send_event("expire", u, 22, "g-00000000000a", "first", "", "expired");
    const json ev = wait_for_events(u, 3);
    ASSERT_EQ(ev.size(), 3u) << ev.dump(2);
    EXPECT_EQ(ev[0]["event"], "grant");
    EXPECT_EQ(ev[0]["user"], u);
    EXPECT_EQ(ev[0]["port"], 22);
    EXPECT_EQ(ev[0]["grant_id"], "g-00000000000a");
    EXPECT_EQ(ev[0]["reason"], "first");
    EXPECT_EQ(ev[0]["end"], "2026-11-23T15:00:00Z");
    EXPECT_EQ(ev[1]["event"], "deny");
    EXPECT_EQ(ev[1]["error"], "duration_exceeds_max");
    EXPECT_EQ(ev[2]["event"], "expire");
    EXPECT_EQ(ev[2]["reason"], "first") << "the requester's reason, on every event of the grant";
    EXPECT_EQ(ev[2]["cause"], "expired");
    EXPECT_EQ(ev[0]["cause"], "");
}

TEST_F(AuditJournal, CsvParsesBackWithARealCsvParser) {
    const std::string u = unique_user("c");
    const std::string tricky = "ticket 4711, \"urgent\"\nsecond line";
    send_event("grant", u, 3389, "g-00000000000b", tricky);
    send_event("revoke", u, 3389, "g-00000000000b", "plain", "", "requested");
    ASSERT_EQ(wait_for_events(u, 2).size(), 2u);

    const auto r = jit_request({"audit", "--user", u, "--format", "csv"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(r.out.substr(0, r.out.find('\n') + 1),
              "time,event,user,port,protocol,source,grant_id,end,reason,cause,error,message,"
              "trust\r\n");
    const json rows = parse_csv(r.out);
    ASSERT_EQ(rows.size(), 2u) << r.out;
    EXPECT_EQ(rows[0]["event"], "grant");
    EXPECT_EQ(rows[0]["reason"], tricky);
    EXPECT_EQ(rows[0]["port"], "3389");
    EXPECT_EQ(rows[0]["source"], "198.51.100.2/32");
    EXPECT_EQ(rows[1]["event"], "revoke");
    EXPECT_EQ(rows[1]["reason"], "plain");
    EXPECT_EQ(rows[1]["cause"], "requested");
    EXPECT_EQ(rows[0]["cause"], "");
}

TEST_F(AuditJournal, TableHasARowPerEventAndAPerPortSummary) {
    const std::string u = unique_user("t");
    send_event("grant", u, 22, "g-00000000000c");
    send_event("grant", u, 22, "g-00000000000d");
    send_event("grant", u, 5985, "g-00000000000e");
    ASSERT_EQ(wait_for_events(u, 3).size(), 3u);

    const auto r = jit_request({"audit", "--user", u});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("g-00000000000c"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("g-00000000000e"), std::string::npos) << r.out;
    const auto summary = r.out.find("per port:");
    ASSERT_NE(summary, std::string::npos) << r.out;
    const std::string tail = r.out.substr(summary);
    EXPECT_NE(tail.find("PORT  GRANTS  LAST ACCESS (UTC)"), std::string::npos) << tail;
    // 22 had two grants, 5985 one; both last used by this user.
    EXPECT_NE(tail.find("\n22    2       "), std::string::npos) << tail;
    EXPECT_NE(tail.find("\n5985  1       "), std::string::npos) << tail;
    EXPECT_NE(tail.find(u), std::string::npos) << tail;
}

TEST_F(AuditJournal, FiltersByPortAndTime) {
    const std::string u = unique_user("f");
    send_event("grant", u, 22, "g-00000000000f");
    send_event("grant", u, 3389, "g-000000000010");
    ASSERT_EQ(wait_for_events(u, 2).size(), 2u);

    auto r = jit_request({"audit", "--user", u, "--port", "3389", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    json ev = json::parse(r.out);
    ASSERT_EQ(ev.size(), 1u) << r.out;
    EXPECT_EQ(ev[0]["grant_id"], "g-000000000010");

    // A window that ended an hour ago holds none of them; one starting an hour ago holds both.
    r = jit_request({"audit", "--user", u, "--until", "1h", "--since", "2d", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(json::parse(r.out).size(), 0u) << r.out;
    r = jit_request({"audit", "--user", u, "--since", "PT1H", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(json::parse(r.out).size(), 2u) << r.out;
    // ISO bounds: from the start of the epoch's 2000s to now.
    r = jit_request({"audit", "--user", u, "--since", "2000-01-01", "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(json::parse(r.out).size(), 2u) << r.out;
    // A window entirely in the future is a usage error.
    r = jit_request({"audit", "--since", "2999-01-01"});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
}

// Issue 12 B2: the window's end was cut to whole seconds, so an entry journald already held
// was missing until the next second began. A window ending in an entry's second holds it.
TEST_F(AuditJournal, AWindowHoldsAllOfItsLastSecond) {
    const std::string u = unique_user("s");
    std::map<std::string, std::string> writer;
    send_event("grant", u, 22, "g-000000000012", "", "", "", &writer);
    ASSERT_FALSE(HasFatalFailure());
    // Stored already (journal_send_from waits for it): the default end, now, includes it.
    auto r = jit_request({"audit", "--user", u, "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(json::parse(r.out).size(), 1u) << r.out;
    // An explicit end at the entry's own whole second includes it; the second before does not.
    const auto at = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::microseconds(std::stoull(writer.at("__REALTIME_TIMESTAMP"))));
    const wire::SysSeconds second{at};
    r = jit_request({"audit", "--user", u, "--since", "2000-01-01", "--until",
                     wire::format_iso8601(second), "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(json::parse(r.out).size(), 1u) << r.out;
    r = jit_request({"audit", "--user", u, "--since", "2000-01-01", "--until",
                     wire::format_iso8601(second - std::chrono::seconds(1)), "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(json::parse(r.out).size(), 0u) << r.out;
}

TEST_F(AuditJournal, UserWithoutJournalAccessIsToldWhichGroupToJoin) {
    const std::string u = unique_user("d");
    send_event("grant", u, 22, "g-000000000011");
    ASSERT_EQ(wait_for_events(u, 1).size(), 1u);

    // On a real machine systemd-tmpfiles gives the journal to the systemd-journal group (and
    // adm, by ACL) at boot; the private journald's fresh tmpfs needs the same done once.
    ASSERT_TRUE(std::filesystem::exists("/run/systemd/journald.conf.d/jitd-test.conf"))
        << "not inside tests/support/with-journald";
    run_ok({"systemd-tmpfiles", "--create", "--prefix", "/run/log/journal", "--prefix",
            "/var/log/journal"});

    TestUsers users;
    const auto r = jit_request_as(users.stranger, {"audit"});
    EXPECT_EQ(r.exit_code, 77) << describe(r);
    EXPECT_NE(r.err.find("systemd-journal"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("adm"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");

    // The group it names is enough.
    const TestUser reader = users.add_user("jr", {"systemd-journal"});
    const auto ok = jit_request_as(reader, {"audit", "--user", u, "--format", "json"});
    ASSERT_EQ(ok.exit_code, 0) << describe(ok);
    EXPECT_EQ(json::parse(ok.out).size(), 1u) << ok.out;
}

TEST_F(AuditJournal, EmptyWindowSaysSo) {
    const auto r = jit_request({"audit", "--user", unique_user("none")});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("no events"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace jitd::test
