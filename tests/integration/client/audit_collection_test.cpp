// `jit-request audit --directory/--file` on a collection as systemd-journal-remote writes one:
// three sending hosts (two of them named web1), their files made by the real
// systemd-journal-remote from export-format entries. Per-host counts, last user and access,
// ports from start/reload entries, the --host filter, CSV and JSON, and trust as it applies to
// other hosts' journals. No containers, no journald needed.
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "agent/wire/timefmt.hpp"
#include "tests/integration/client/client_test_support.hpp"
#include "tests/integration/client/collection_writer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

const SendingHost kWebA{"web1", "aaaaaaaa111111111111111111111111", "991"};
const SendingHost kWebC{"web1", "cccccccc333333333333333333333333", "987"};
const SendingHost kDb{"db1", "bbbbbbbb222222222222222222222222", "990"};

class AuditCollection : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!fs::exists(journal_remote_binary()))
            GTEST_SKIP() << "no " << journal_remote_binary() << " (scripts/deps installs it)";
        std::string tmpl = (fs::temp_directory_path() / "jitd-audit-coll-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        // Whole seconds: the report prints them so.
        now_ = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        write_collection();
    }
    void TearDown() override {
        std::error_code ec;
        if (!dir_.empty()) fs::remove_all(dir_, ec);
    }

    std::uint64_t ago(std::chrono::seconds d) const {
        return static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>((now_ - d).time_since_epoch())
                .count());
    }
    std::string iso_ago(std::chrono::seconds d) const {
        return wire::format_iso8601(std::chrono::time_point_cast<std::chrono::seconds>(now_ - d));
    }
    static CollectedEntry grant(std::uint64_t t, const std::string& user, const std::string& port,
                                Writer w = Writer::service) {
        return {
            t, "grant", {{"JITD_USER", user}, {"JITD_PORT", port}, {"JITD_PROTOCOL", "tcp"}}, w};
    }
    static CollectedEntry deny(std::uint64_t t, const std::string& user,
                               const std::string& error = "not_authorized",
                               const std::string& suppressed = "") {
        CollectedEntry e{t, "deny", {{"JITD_USER", user}, {"JITD_ERROR", error}}, Writer::service};
        if (!suppressed.empty()) e.fields.emplace_back("JITD_SUPPRESSED", suppressed);
        return e;
    }
    static CollectedEntry config(std::uint64_t t, const std::string& kind,
                                 const std::string& ports) {
        return {t,
                kind,
                {{"JITD_PORTS", ports}, {"JITD_POLICY", "/etc/jitd/policy.yaml"}},
                Writer::service};
    }

    void write_collection() {
        using std::chrono::hours;
        using std::chrono::minutes;
        // web1 (a): started a day ago protecting two ports; two grants, a refusal and a summary
        // of five held-back refusals.
        write_remote_journal(
            file("web1"), kWebA,
            {config(ago(hours(24)), "start", "22/tcp 3389/tcp"),
             grant(ago(hours(3)), "alice", "22"), grant(ago(hours(2)), "bob", "3389"),
             deny(ago(hours(1)), "carol"), deny(ago(minutes(50)), "carol", "suppressed", "5")});
        // web1 (c), another machine with the same name: started 8 days ago (before the
        // window, still its configuration), then reloaded; one grant in the window, one before.
        write_remote_journal(file("web1-c"), kWebC,
                             {config(ago(hours(8 * 24)), "start", "2222/tcp"),
                              grant(ago(hours(8 * 24 - 1)), "old", "2222"),
                              config(ago(hours(4)), "reload", "22/tcp 5985/tcp"),
                              grant(ago(minutes(30)), "dave", "22")});
        // db1: no start entry; a grant by a jitd run as root, a forged grant and deny.
        write_remote_journal(
            file("db1"), kDb,
            {grant(ago(minutes(20)), "erin", "5432", Writer::root),
             grant(ago(minutes(10)), "mallory", "5432", Writer::forger),
             {ago(minutes(9)), "deny", {{"JITD_USER", "mallory"}}, Writer::forger}});
    }
    std::string file(const std::string& name) const {
        return dir_ + "/remote-" + name + ".journal";
    }
    json run_json(const std::vector<std::string>& args) const {
        const auto r = jit_request(args);
        EXPECT_EQ(r.exit_code, 0) << describe(r);
        return json::parse(r.out);
    }

    std::string dir_;
    std::chrono::system_clock::time_point now_;
};

TEST_F(AuditCollection, ByHostJsonCountsEachHostsGrantsRefusalsAndPorts) {
    const json hosts = run_json({"audit", "--directory", dir_, "--by", "host", "--format", "json"});
    ASSERT_EQ(hosts.size(), 3u) << hosts.dump(2);
    // Sorted by the name shown; the two web1 are told apart by their machine ids.
    const json& db = hosts[0];
    EXPECT_EQ(db["host"], "db1");
    EXPECT_EQ(db["machine_id"], kDb.machine_id);
    EXPECT_EQ(db["grants"], 1) << "the forged grant is not counted";
    EXPECT_EQ(db["refusals"], 0) << "nor the forged deny";
    EXPECT_EQ(db["last_user"], "erin");
    EXPECT_EQ(db["last_access"], iso_ago(std::chrono::minutes(20)));
    EXPECT_EQ(db["ports"], json::array({"5432/tcp"})) << "no start entry: the ports granted";

    const json& a = hosts[1];
    EXPECT_EQ(a["host"], "web1 (aaaaaaaa)");
    EXPECT_EQ(a["machine_id"], kWebA.machine_id);
    EXPECT_EQ(a["grants"], 2);
    EXPECT_EQ(a["refusals"], 6) << "one deny and a summary of five held back";
    EXPECT_EQ(a["last_user"], "bob");
    EXPECT_EQ(a["last_access"], iso_ago(std::chrono::hours(2)));
    EXPECT_EQ(a["ports"], json::array({"22/tcp", "3389/tcp"}));

    const json& c = hosts[2];
    EXPECT_EQ(c["host"], "web1 (cccccccc)");
    EXPECT_EQ(c["grants"], 1) << "the grant 8 days ago is outside the default 7d window";
    EXPECT_EQ(c["last_user"], "dave");
    EXPECT_EQ(c["ports"], json::array({"22/tcp", "5985/tcp"})) << "its last reload's ports";
}

TEST_F(AuditCollection, ByHostCsvHasTheDocumentedColumns) {
    const auto r = jit_request({"audit", "--directory", dir_, "--by", "host", "--format", "csv"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(r.out.substr(0, r.out.find('\n') + 1),
              "host,grants,refusals,last_access,ports,last_user\r\n");
    const json rows = parse_csv(r.out);
    ASSERT_EQ(rows.size(), 3u) << r.out;
    EXPECT_EQ(rows[1]["host"], "web1 (aaaaaaaa)");
    EXPECT_EQ(rows[1]["grants"], "2");
    EXPECT_EQ(rows[1]["refusals"], "6");
    EXPECT_EQ(rows[1]["ports"], "22/tcp 3389/tcp");
    EXPECT_EQ(rows[1]["last_access"], iso_ago(std::chrono::hours(2)));
    EXPECT_EQ(rows[1]["last_user"], "bob");
    EXPECT_NE(r.err.find("2 entries claiming to be jitd were ignored"), std::string::npos) << r.err;
}

TEST_F(AuditCollection, ByHostTableWithAWindowThatHoldsNoGrantsStillListsConfiguredHosts) {
    const auto r = jit_request(
        {"audit", "--directory", dir_, "--by", "host", "--since", "30d", "--until", "5d"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("  GRANTS  REFUSALS  LAST ACCESS (UTC)  "), std::string::npos) << r.out;
    // Only web1 (c) had started by then: its start entry's port, and the grant of that time.
    // The other web1 is in the files, so the name still says which machine (no filter changes
    // a label).
    EXPECT_NE(r.out.find("\nweb1 (cccccccc)  1       0   "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2222/tcp"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("old"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("db1"), std::string::npos) << r.out;
}

TEST_F(AuditCollection, EventsCarryAHostColumnAndHostFilters) {
    json ev = run_json({"audit", "--directory", dir_, "--format", "json"});
    // 12 entries: 2 are older than the default 7 days, 2 forged (not shown).
    ASSERT_EQ(ev.size(), 8u) << ev.dump(2);
    for (const auto& e : ev) EXPECT_TRUE(e.contains("host")) << e.dump();

    ev = run_json({"audit", "--directory", dir_, "--host", "db1", "--format", "json"});
    ASSERT_EQ(ev.size(), 1u) << ev.dump(2);
    EXPECT_EQ(ev[0]["host"], "db1");
    EXPECT_EQ(ev[0]["user"], "erin");
    EXPECT_EQ(ev[0]["trust"], "root");

    ev = run_json(
        {"audit", "--directory", dir_, "--host", "web1", "--user", "dave", "--format", "json"});
    ASSERT_EQ(ev.size(), 1u) << ev.dump(2);
    EXPECT_EQ(ev[0]["host"], "web1 (cccccccc)");
    EXPECT_EQ(ev[0]["trust"], "service") << "jitd.service on the sending host, whatever its uid";

    // The name as the host column shows it selects that machine alone.
    ev = run_json({"audit", "--directory", dir_, "--host", "web1 (aaaaaaaa)", "--format", "json"});
    EXPECT_EQ(ev.size(), 5u) << ev.dump(2);
    for (const auto& e : ev) EXPECT_EQ(e["host"], "web1 (aaaaaaaa)") << e.dump();

    const auto r = jit_request({"audit", "--directory", dir_, "--host", "web1", "--format", "csv"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(r.out.substr(0, r.out.find(',')), "host");
    EXPECT_EQ(parse_csv(r.out).size(), 7u) << r.out;
}

TEST_F(AuditCollection, FilesReadOnlyThoseFilesAndNamesNeedNoMachineId) {
    const json hosts = run_json({"audit", "--file", file("web1"), "--file", file("db1"), "--by",
                                 "host", "--format", "json"});
    ASSERT_EQ(hosts.size(), 2u) << hosts.dump(2);
    EXPECT_EQ(hosts[1]["host"], "web1") << "no other web1 among the files read";
    EXPECT_EQ(hosts[1]["grants"], 2);

    const json ports =
        run_json({"audit", "--file", file("web1"), "--by", "port", "--format", "json"});
    ASSERT_EQ(ports.size(), 2u) << ports.dump(2);
    EXPECT_EQ(ports[0]["port"], 22);
    EXPECT_EQ(ports[0]["grants"], 1);
    EXPECT_EQ(ports[0]["last_user"], "alice");
    EXPECT_EQ(ports[1]["port"], 3389);
}

// systemd-journal-upload sends the entry at its saved cursor again when it restarts (after a
// collector outage): the copy has the original's boot id and timestamps and counts once.
TEST_F(AuditCollection, AnEntryTheUploadSentTwiceCountsOnce) {
    const SendingHost host{"web9", "99999999999999999999999999999999", "991"};
    CollectedEntry first = grant(ago(std::chrono::minutes(40)), "alice", "22");
    first.monotonic_usec = 5000000;
    CollectedEntry copy = first;
    const std::string path = file("web9");
    write_remote_journal(path, host,
                         {first, deny(ago(std::chrono::minutes(39)), "bob"), copy,
                          grant(ago(std::chrono::minutes(30)), "carol", "22")});
    const json hosts = run_json({"audit", "--file", path, "--by", "host", "--format", "json"});
    ASSERT_EQ(hosts.size(), 1u) << hosts.dump(2);
    EXPECT_EQ(hosts[0]["grants"], 2) << hosts.dump(2);
    EXPECT_EQ(hosts[0]["refusals"], 1) << hosts.dump(2);
    const json events = run_json({"audit", "--file", path, "--format", "json"});
    EXPECT_EQ(events.size(), 3u) << events.dump(2);
}

TEST_F(AuditCollection, FilesTheCallerMayNotReadExit77) {
    if (!is_root()) GTEST_SKIP() << "needs root (test users)";
    TestUsers users;
    // The collection's directory is 0700 root: not even the files' names are visible.
    auto r = jit_request_as(users.stranger, {"audit", "--file", file("db1")});
    EXPECT_EQ(r.exit_code, 77) << describe(r);
    EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.err;
    // A directory they may list, files (0640 root) they may not read.
    fs::permissions(dir_, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
    r = jit_request_as(users.stranger, {"audit", "--directory", dir_, "--by", "host"});
    EXPECT_EQ(r.exit_code, 77) << describe(r);
    EXPECT_NE(r.err.find("permission denied"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    r = jit_request_as(users.stranger, {"audit", "--file", file("db1")});
    EXPECT_EQ(r.exit_code, 77) << describe(r);
}

TEST_F(AuditCollection, BadSourcesAreUsageErrors) {
    auto r = jit_request({"audit", "--directory", dir_ + "/nonexistent"});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    EXPECT_NE(r.err.find("no such directory"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    r = jit_request({"audit", "--file", dir_ + "/nothing.journal", "--by", "host"});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    EXPECT_NE(r.err.find("no such file"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    r = jit_request({"audit", "--directory", dir_, "--file", file("db1")});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
    r = jit_request({"audit", "--by", "vm"});
    EXPECT_EQ(r.exit_code, 64) << describe(r);
}

}  // namespace
}  // namespace jitd::test
