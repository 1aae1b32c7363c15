// approval.notify against the real daemon and journald: the hook (a shell script the test
// writes, run by jitd as `nobody`) gets each event of a request as one JSON object on stdin;
// one that hangs is killed with its process group at the (shortened) limit, one that fails or
// cannot be run is journaled, and none of it holds up the request or its approval.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pwd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

namespace fs = std::filesystem;

// A world-readable directory for the hooks and a world-writable one for what they write
// (nobody must reach both), removed at the end.
class HookDir {
  public:
    HookDir() {
        std::string pattern = "/tmp/jitd-hooktest-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
        root_ = pattern;
        ::chmod(root_.c_str(), 0755);
        fs::create_directory(out());
        ::chmod(out().c_str(), 01777);
    }
    ~HookDir() {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    HookDir(const HookDir&) = delete;
    HookDir& operator=(const HookDir&) = delete;
    std::string out() const { return root_ + "/out"; }
    // An executable script `name` with `body` after the #! line.
    std::string script(const std::string& name, const std::string& body) const {
        std::string path = root_ + "/" + name;
        std::ofstream(path) << "#!/bin/sh\n" << body;
        ::chmod(path.c_str(), 0755);
        return path;
    }

  private:
    std::string root_;
};

class ApprovalHook : public DaemonTest {
  protected:
    // Port 22 (one approver of the viewer group) runs `notify`; limit: the hook time limit.
    void start_with(const std::string& notify, unsigned limit_s = 60) {
        const std::string s =
            "ports:\n  - port: 22\n    protocol: tcp\n    max_duration: 1h\n"
            "    approval:\n      approvers: {groups: [" +
            users().viewer_group() + "]}\n      wait: 1h\n      notify: " + notify + "\n" +
            users().access_yaml();
        DaemonOptions o;
        o.extra_args = {"--notify-timeout", std::to_string(limit_s)};
        start(s, o);
        ssh_.emplace(daemon().net().server(), 22);
    }
    std::string ask() {
        const json r =
            daemon().request(open_request(22, TestAddrs::client4, "10m"), users().requester.id);
        EXPECT_TRUE(is_ok(r)) << r.dump();
        EXPECT_TRUE(r.contains("pending")) << r.dump();
        return r.contains("pending") ? r["pending"].value("id", "") : "";
    }
    json approve(const std::string& id) {
        return daemon().request({{"op", "approve"}, {"id", id}}, users().viewer.id);
    }
    // Polls for the hook's record of `event` (its stdin line, then `id -u`, then `env`).
    std::optional<std::vector<std::string>> record_of(const std::string& event) {
        std::optional<std::vector<std::string>> found;
        poll_until(
            [&] {
                for (const auto& f : fs::directory_iterator(dirs_.out())) {
                    if (f.path().extension() != ".done") continue;
                    std::istringstream in(read_file(f.path()));
                    std::vector<std::string> lines;
                    for (std::string l; std::getline(in, l);) lines.push_back(l);
                    if (lines.empty()) continue;
                    const json j = json::parse(lines[0], nullptr, false);
                    if (j.is_object() && j.value("event", "") == event) found = lines;
                }
                return found.has_value();
            },
            std::chrono::seconds(30));
        return found;
    }
    // The journaled failure of the hook run for `event` of request `id`.
    std::optional<json> failure(const std::string& id, const std::string& what,
                                const std::string& event = "request") {
        return journal_.wait_for({{"JITD_EVENT", "notify"},
                                  {"JITD_REQUEST_ID", id},
                                  {"JITD_NOTIFY_EVENT", event},
                                  {"JITD_NOTIFY_FAILURE", what}},
                                 std::chrono::seconds(30));
    }

    HookDir dirs_;

  private:
    std::optional<TcpEchoServer> ssh_;
};

// `notify: [script, out-dir]` as YAML.
std::string notify_yaml(const std::string& program, const std::string& arg = "") {
    return "[\"" + program + "\"" + (arg.empty() ? "" : ", \"" + arg + "\"") + "]";
}

TEST_F(ApprovalHook, TheHookGetsTheRequestAsJsonAsAnUnprivilegedUser) {
    const std::string hook = dirs_.script("record.sh",
                                          "f=\"$1/$(date +%s%N)-$$\"\n"
                                          "cat > \"$f.tmp\"\n"
                                          "id -u >> \"$f.tmp\"\n"
                                          "env >> \"$f.tmp\"\n"
                                          "mv \"$f.tmp\" \"$f.done\"\n");
    start_with(notify_yaml(hook, dirs_.out()));
    const std::string id = ask();
    ASSERT_FALSE(id.empty());
    const auto rec = record_of("request");
    ASSERT_TRUE(rec) << journal_.dump();
    ASSERT_GE(rec->size(), 2u);
    const json j = json::parse((*rec)[0]);
    EXPECT_EQ(j["id"], id);
    EXPECT_EQ(j["user"], users().requester.name);
    EXPECT_EQ(j["port"], 22);
    EXPECT_EQ(j["protocol"], "tcp");
    EXPECT_EQ(j["source"], std::string(TestAddrs::client4) + "/32");
    EXPECT_EQ(j["duration"], "10m");
    EXPECT_EQ(j["channel"], "socket");
    EXPECT_EQ(j["required"], 1);
    EXPECT_EQ(j["approvals"], json::array());
    EXPECT_TRUE(j.contains("lapses") && j["lapses"].is_string()) << j.dump();
    EXPECT_TRUE(j.contains("reason")) << j.dump();
    EXPECT_TRUE(j.contains("host") && !j["host"].get<std::string>().empty()) << j.dump();
    EXPECT_NE((*rec)[1], "0") << "the hook must not run as root";
    EXPECT_EQ((*rec)[1], std::to_string(getpwnam("nobody")->pw_uid));
    // Nothing of the daemon's environment but PATH and LANG (and what sh sets itself).
    const std::set<std::string> allowed{"PATH", "LANG", "PWD", "OLDPWD", "SHLVL", "_"};
    for (std::size_t i = 2; i < rec->size(); ++i) {
        const std::string name = (*rec)[i].substr(0, (*rec)[i].find('='));
        EXPECT_TRUE(allowed.count(name)) << "inherited " << (*rec)[i];
    }
    // The decision is told too, with who made it.
    const json r = approve(id);
    ASSERT_TRUE(is_ok(r)) << r.dump();
    const auto decided = record_of("approve");
    ASSERT_TRUE(decided) << journal_.dump();
    const json d = json::parse((*decided)[0]);
    EXPECT_EQ(d["id"], id);
    EXPECT_EQ(d["actor"], users().viewer.name);
    EXPECT_EQ(d["decided"], true);
    EXPECT_EQ(d["granted"], true);
    EXPECT_TRUE(journal_.entries({{"JITD_EVENT", "notify"}}).empty()) << journal_.dump();
}

TEST_F(ApprovalHook, AHangingHookIsKilledWithItsGroupAndHoldsUpNothing) {
    // It leaves a child of its own behind in the group: the limit must end that one too.
    const std::string hook = dirs_.script("hang.sh",
                                          "sleep 1000 &\necho $$ > \"$1/pgid.tmp\"\n"
                                          "mv \"$1/pgid.tmp\" \"$1/pgid\"\nexec sleep 1000\n");
    start_with(notify_yaml(hook, dirs_.out()), 2);
    const std::string id = ask();  // answered pending while the hook hangs
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(poll_until([&] { return !read_file(dirs_.out() + "/pgid").empty(); }));
    const pid_t group = std::stoi(read_file(dirs_.out() + "/pgid"));
    const json r = approve(id);  // the hook still runs: the decision does not wait for it
    ASSERT_TRUE(is_ok(r)) << r.dump();
    EXPECT_TRUE(r.contains("grant")) << r.dump();
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
    const auto killed = failure(id, "timeout");
    ASSERT_TRUE(killed) << journal_.dump();
    EXPECT_TRUE(failure(id, "timeout", "approve")) << "the approval's run hung as well";
    EXPECT_EQ(journal_field(*killed, "JITD_NOTIFY_COMMAND"), hook);
    EXPECT_TRUE(poll_until([&] { return ::kill(-group, 0) != 0 && errno == ESRCH; }))
        << "a process of the hook's group survived the limit";
}

TEST_F(ApprovalHook, AFailingHookIsJournaled) {
    const std::string hook = dirs_.script("fail.sh", "exit 3\n");
    start_with(notify_yaml(hook));
    const std::string id = ask();
    ASSERT_FALSE(id.empty());
    const auto failed = failure(id, "exit");
    ASSERT_TRUE(failed) << journal_.dump();
    EXPECT_NE(journal_field(*failed, "MESSAGE").find("status 3"), std::string::npos)
        << journal_field(*failed, "MESSAGE");
    EXPECT_EQ(journal_field(*failed, "MESSAGE_ID"), "95697c49a6044c4abc074b9abbd16f0c");
    EXPECT_TRUE(is_ok(approve(id)));
}

TEST_F(ApprovalHook, AMissingProgramIsJournaled) {
    start_with(notify_yaml(dirs_.out() + "/no-such-hook"));
    const std::string id = ask();
    ASSERT_FALSE(id.empty());
    const auto failed = failure(id, "exec");
    ASSERT_TRUE(failed) << journal_.dump();
    EXPECT_NE(journal_field(*failed, "MESSAGE").find("No such file"), std::string::npos)
        << journal_field(*failed, "MESSAGE");
    // A reject is an event of its own, and the missing program fails again, for it.
    ASSERT_TRUE(is_ok(daemon().request({{"op", "reject"}, {"id", id}}, users().viewer.id)));
    EXPECT_TRUE(journal_.wait_for(
        {{"JITD_EVENT", "notify"}, {"JITD_REQUEST_ID", id}, {"JITD_NOTIFY_EVENT", "reject"}},
        std::chrono::seconds(30)))
        << journal_.dump();
}

}  // namespace
}  // namespace jitd::test
