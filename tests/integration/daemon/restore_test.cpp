// Another firewall tool changes table inet jitd while a grant is live (issue 10): jitd notices
// the nf_tables event and restores the table and its grants at once. The other tool is the real
// `nft` run in the server namespace. After each change: the protected port refuses other
// sources again, the granted source still gets in, `list` matches the kernel's elements, and the
// `restore` journal entry names the nft process.
#include <algorithm>
#include <atomic>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "agent/audit_events.hpp"
#include "nft/session.hpp"
#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using namespace std::chrono_literals;

const char* kDebianNftablesConf =
    "#!/usr/sbin/nft -f\n"
    "\n"
    "flush ruleset\n"
    "\n"
    "table inet filter {\n"
    "\tchain input {\n"
    "\t\ttype filter hook input priority filter;\n"
    "\t}\n"
    "\tchain forward {\n"
    "\t\ttype filter hook forward priority filter;\n"
    "\t}\n"
    "\tchain output {\n"
    "\t\ttype filter hook output priority filter;\n"
    "\t}\n"
    "}\n";

class Restore : public DaemonTest {
  protected:
    // jitd with a live 1h grant for client4 on port 22, and an echo server behind it.
    std::string start_with_grant(PolicyOptions o = {}) {
        o.access = users().access_yaml();
        auto& d = start(make_policy(o));
        ssh_.emplace(d.net().server(), 22);
        auto r = d.request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
        EXPECT_TRUE(is_ok(r));
        EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
        EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22));
        return r["grant"]["id"];
    }
    std::string nft(const std::vector<std::string>& args) {
        std::vector<std::string> argv{"nft"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_ok(daemon().net().server().exec(argv));
    }
    // The grant elements in the kernel, as "198.51.100.2 . tcp . 22", sorted.
    std::vector<std::string> kernel_keys() {
        std::vector<std::string> out;
        daemon().net().server().run([&] {
            for (const auto& l : nft::Session::open().list_elements()) out.push_back(l.key.str());
        });
        std::sort(out.begin(), out.end());
        return out;
    }
    // The keys the daemon's `list` says the kernel should hold, sorted.
    std::vector<std::string> listed_keys() {
        std::vector<std::string> out;
        const json r = daemon().request({{"op", "list"}});
        for (const auto& g : r.at("grants")) {
            const auto p = nft::parse_prefix(g.at("source").get<std::string>());
            if (!p) continue;
            const std::string proto = g.at("protocol");
            const std::string port = std::to_string(g.at("port").get<int>());
            for (const char* l4 : {"tcp", "udp"})
                if (proto == "any" || proto == l4)
                    out.push_back(p->str() + " . " + l4 + " . " + port);
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    // After a foreign change: closed to others again, open to the grant, list == kernel, and a
    // `restore` entry naming nft that mentions `changed`.
    void expect_restored(const std::string& changed) {
        EXPECT_TRUE(wait_tcp_closed(TestAddrs::client4b, 22)) << "the port must close again";
        EXPECT_TRUE(tcp_open(TestAddrs::client4, 22)) << "the granted source must still get in";
        EXPECT_TRUE(poll_until([&] { return kernel_keys() == listed_keys(); }, 5s));
        EXPECT_EQ(kernel_keys(), listed_keys());
        EXPECT_FALSE(listed_keys().empty());
        auto e = journal_.wait_for({{"JITD_EVENT", "restore"}}, 15s);
        ASSERT_TRUE(e) << journal_.dump();
        EXPECT_EQ(journal_field(*e, "MESSAGE_ID"),
                  std::string(agent::audit_info(agent::AuditKind::restore).message_id));
        EXPECT_TRUE(
            std::regex_match(journal_field(*e, "JITD_CHANGED_BY"), std::regex("[0-9]+ nft")))
            << journal_field(*e, "JITD_CHANGED_BY");
        EXPECT_NE(journal_field(*e, "JITD_CHANGED").find(changed), std::string::npos)
            << journal_field(*e, "JITD_CHANGED");
        EXPECT_NE(journal_field(*e, "JITD_RESTORED").find("1 grant"), std::string::npos)
            << journal_field(*e, "JITD_RESTORED");
        EXPECT_EQ(journal_field(*e, "JITD_RESTORE_COUNT"), "1");
    }
    std::string drop_rule_handle() {
        const std::string text = nft({"-a", "list", "chain", "inet", "jitd", "input"});
        const auto pos = text.rfind("drop # handle ");
        if (pos == std::string::npos) throw std::runtime_error("no drop rule in " + text);
        return std::to_string(std::stoul(text.substr(pos + 14)));
    }

    std::optional<TcpEchoServer> ssh_;
};

TEST_F(Restore, FlushRuleset) {
    start_with_grant();
    nft({"flush", "ruleset"});
    expect_restored("deleted table inet jitd");
}

TEST_F(Restore, DebianDefaultNftablesConf) {
    start_with_grant();
    const std::string path = daemon().dir() + "/nftables.conf";
    std::ofstream(path) << kDebianNftablesConf;
    nft({"-f", path});
    expect_restored("deleted table inet jitd");
    EXPECT_NE(nft({"list", "tables"}).find("table inet filter"), std::string::npos)
        << "the other tool's table stays";
}

TEST_F(Restore, DeleteTable) {
    start_with_grant();
    nft({"delete", "table", "inet", "jitd"});
    expect_restored("deleted table inet jitd");
}

TEST_F(Restore, DeleteGrantSet) {
    start_with_grant();
    // The rules use the set, so the other tool empties the chain in the same transaction.
    const std::string path = daemon().dir() + "/delete-set.nft";
    std::ofstream(path) << "flush chain inet jitd input\ndelete set inet jitd grant4_host\n";
    nft({"-f", path});
    expect_restored("deleted set grant4_host");
}

TEST_F(Restore, FlushGrantSet) {
    start_with_grant();
    nft({"flush", "set", "inet", "jitd", "grant4_host"});
    expect_restored("of set grant4_host");
}

TEST_F(Restore, DeleteDropRule) {
    start_with_grant();
    nft({"delete", "rule", "inet", "jitd", "input", "handle", drop_rule_handle()});
    expect_restored("deleted rule (handle");
}

TEST_F(Restore, ForeignElementInAGrantSetIsRemovedAndReported) {
    start_with_grant();
    nft({"add", "element", "inet", "jitd", "grant4_host",
         std::string("{ ") + TestAddrs::client4b + " . tcp . 22 }"});
    expect_restored(std::string("added 1 element to set grant4_host: ") + TestAddrs::client4b +
                    " . tcp . 22");
}

TEST_F(Restore, EstablishedConnectionSurvivesAFlushAndTheRestore) {
    start_with_grant();
    TcpClient kept(daemon().net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    ASSERT_TRUE(kept.connected());
    ASSERT_TRUE(kept.echo("before\n"));
    nft({"flush", "ruleset"});
    expect_restored("deleted table inet jitd");
    EXPECT_TRUE(kept.echo("after the restore\n"));
}

TEST_F(Restore, OwnChangesAreNoRestore) {
    const std::string id = start_with_grant();
    auto r = daemon().request({{"op", "extend"}, {"id", id}, {"duration", "30m"}});
    ASSERT_TRUE(is_ok(r));
    ASSERT_TRUE(is_ok(daemon().request({{"op", "revoke"}, {"id", id}})));
    ASSERT_TRUE(is_ok(daemon().request({{"op", "reload"}})));
    ASSERT_TRUE(journal_.wait_for({{"JITD_EVENT", "reload"}}));
    // A marker change from nft afterwards: its restore must be the only one.
    nft({"flush", "set", "inet", "jitd", "protected"});
    ASSERT_TRUE(journal_.wait_for({{"JITD_EVENT", "restore"}}, 15s)) << journal_.dump();
    const auto all = journal_.entries({{"JITD_EVENT", "restore"}});
    ASSERT_EQ(all.size(), 1u) << journal_.dump();
    EXPECT_NE(journal_field(all[0], "JITD_CHANGED").find("of set protected"), std::string::npos)
        << journal_field(all[0], "JITD_CHANGED");
    EXPECT_TRUE(wait_tcp_closed(TestAddrs::client4b, 22));
}

bool is_audit_unavailable(const nlohmann::json& r) {
    return r.contains("error") && r["error"].value("code", "") == "audit_unavailable";
}

TEST_F(Restore, HammeringFlushesWhileClientsOpenGrants) {
    PolicyOptions o;
    o.max_grants_per_user = 200;
    start_with_grant(o);
    const auto began = std::chrono::steady_clock::now();
    constexpr int kClients = 4, kPerClient = 20, kFlushes = 200;
    std::atomic<bool> stop{false};
    std::atomic<int> flushes{0};
    std::thread flusher([&] {
        for (int i = 0; i < kFlushes; ++i) {
            if (run(daemon().net().server().exec({"nft", "flush", "ruleset"})).exit_code == 0)
                ++flushes;
        }
        stop = true;
    });
    std::vector<std::vector<std::string>> ids(kClients);
    std::vector<std::vector<std::string>> errors(kClients);
    std::vector<std::thread> clients;
    clients.reserve(kClients);
    for (int c = 0; c < kClients; ++c)
        clients.emplace_back([&, c] {
            for (int i = 0; i < kPerClient; ++i) {
                const std::string src = "10.9." + std::to_string(c) + "." + std::to_string(i + 1);
                auto r = daemon().request(open_request(22, src, "1h"), users().admin.id);
                // audit_unavailable is the fail-safe answer when journald falls behind (the
                // change was rolled back): a client tries again, as the message says.
                for (int retry = 0; retry < 100 && is_audit_unavailable(r); ++retry) {
                    std::this_thread::sleep_for(20ms);
                    r = daemon().request(open_request(22, src, "1h"), users().admin.id);
                }
                if (is_ok(r))
                    ids[c].push_back(r["grant"]["id"]);
                else
                    errors[c].push_back(r.dump());
            }
        });
    for (auto& t : clients) t.join();
    flusher.join();
    EXPECT_EQ(flushes.load(), kFlushes);
    std::set<std::string> opened;
    for (int c = 0; c < kClients; ++c) {
        EXPECT_TRUE(errors[c].empty()) << errors[c].front();
        opened.insert(ids[c].begin(), ids[c].end());
    }
    EXPECT_EQ(opened.size(), std::size_t{kClients} * kPerClient);

    EXPECT_TRUE(wait_tcp_closed(TestAddrs::client4b, 22));
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
    EXPECT_TRUE(poll_until([&] { return kernel_keys() == listed_keys(); }, 10s));
    const auto kernel = kernel_keys();
    EXPECT_EQ(kernel, listed_keys());
    EXPECT_EQ(kernel.size(), opened.size() + 1) << "every grant once, none lost, none doubled";
    EXPECT_EQ(std::set<std::string>(kernel.begin(), kernel.end()).size(), kernel.size());
    const auto listed = listed_ids(daemon().request({{"op", "list"}}));
    for (const auto& id : opened)
        EXPECT_NE(std::find(listed.begin(), listed.end(), id), listed.end()) << id << " lost";

    // At most one entry per 10 s, the last one a summary with its count.
    ASSERT_TRUE(poll_until(
        [&] {
            for (const auto& e : journal_.entries({{"JITD_EVENT", "restore"}}))
                if (journal_field(e, "JITD_RESTORE_COUNT") != "1") return true;
            return false;
        },
        20s))
        << journal_.dump();
    const auto entries = journal_.entries({{"JITD_EVENT", "restore"}});
    // One per started 10 s window and the summary (a slow VM takes minutes for the flushes).
    const auto windows =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - began)
                .count() /
            10 +
        2;
    EXPECT_LE(entries.size(), static_cast<std::size_t>(windows)) << journal_.dump();
    long total = 0;
    for (const auto& e : entries) {
        total += std::stol(journal_field(e, "JITD_RESTORE_COUNT"));
        EXPECT_NE(journal_field(e, "JITD_CHANGED_BY").find(" nft"), std::string::npos);
    }
    EXPECT_GE(total, 2);
    EXPECT_LE(total, kFlushes);
}

TEST_F(Restore, RemoveTableIsRefusedWhileJitdRuns) {
    start_with_grant();
    auto r = run(daemon().net().server().exec({DaemonFixture::binary(), "--remove-table"}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("pid " + std::to_string(daemon().pid())), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("stop it first"), std::string::npos) << r.err;
    EXPECT_FALSE(daemon().ruleset().empty()) << "the table stays";
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22));
    // A second jitd in the same namespace refuses to start, naming the first (a second that
    // does start is killed by the Child's destructor).
    const std::string log = daemon().dir() + "/second.log";
    Child second = Child::spawn(
        daemon().net().server().exec({DaemonFixture::binary(), "--policy", daemon().policy_path(),
                                      "--socket", daemon().dir() + "/second.sock"}),
        {}, log);
    int status = 0;
    ASSERT_TRUE(second.wait_exit(10s, &status)) << "a second jitd must not start";
    EXPECT_EQ(status, 1) << "exit code";
    const std::string said = read_file(log);
    EXPECT_NE(said.find("already runs"), std::string::npos) << said;
    EXPECT_NE(said.find(std::to_string(daemon().pid())), std::string::npos) << said;
    // Stopped, the removal works.
    daemon().stop(SIGTERM);
    auto done = run(daemon().net().server().exec({DaemonFixture::binary(), "--remove-table"}));
    EXPECT_EQ(done.exit_code, 0) << done.err;
    EXPECT_TRUE(daemon().ruleset().empty());
}

TEST_F(Restore, StatusNotesOtherTablesThatDropOnInput) {
    start_with_grant();
    json st = daemon().request({{"op", "status"}});
    ASSERT_TRUE(is_ok(st));
    ASSERT_TRUE(st.contains("other_input_drop_chains")) << st.dump();
    EXPECT_TRUE(st["other_input_drop_chains"].empty());
    nft(
        {"add table ip guard; add chain ip guard in { type filter hook input priority 10; "
         "policy drop; }"});
    st = daemon().request({{"op", "status"}});
    EXPECT_EQ(st["other_input_drop_chains"], json::array({"ip guard in"})) << st.dump();
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22)) << "another table's drop beats the grant";
    // jitd --check as root says so too.
    auto check = run(daemon().net().server().exec(
        {DaemonFixture::binary(), "--check", "--policy", daemon().policy_path()}));
    EXPECT_EQ(check.exit_code, 0) << check.err;
    EXPECT_NE(check.err.find("chain ip guard in"), std::string::npos) << check.err;
    EXPECT_EQ(journal_.entries({{"JITD_EVENT", "restore"}}).size(), 0u)
        << "another table is not jitd's business";
}

}  // namespace
}  // namespace jitd::test
