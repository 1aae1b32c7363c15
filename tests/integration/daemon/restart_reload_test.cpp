// The daemon's own life: kill -9 and restart rebuild the grants from the kernel; reloads
// (op and SIGHUP) that fail change nothing, reloads that drop a port or a source revoke; a
// stopped daemon leaves protected ports closed and open grants expiring on time.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "nft/session.hpp"
#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using std::chrono::seconds;

class RestartReload : public DaemonTest {};

seconds abs_diff(std::chrono::sys_seconds a, std::chrono::sys_seconds b) {
    return a > b ? a - b : b - a;
}

TEST_F(RestartReload, Kill9ThenRestartRebuildsTheSameGrants) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    const auto& req = users().requester.id;
    ASSERT_TRUE(is_ok(d.request(open_request(22, TestAddrs::client4, "1h"), req)));
    ASSERT_TRUE(is_ok(d.request(open_request(22, TestAddrs::client6, "30m"), users().admin.id)));
    ASSERT_TRUE(is_ok(d.request(open_request(22, "198.51.100.128/25", "20m"), req)));
    ASSERT_TRUE(is_ok(d.request(open_request(3389, TestAddrs::client4b, "10s"), req)));
    const json before = d.request({{"op", "list"}});
    ASSERT_EQ(before["grants"].size(), 4u) << before.dump();

    d.kill9();
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22)) << "grants live on in the kernel";
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "protected ports stay closed";
    d.start();

    const json after = d.request({{"op", "list"}});
    auto b = by_id(before), a = by_id(after);
    ASSERT_EQ(a.size(), b.size()) << after.dump();
    for (const auto& [id, g] : b) {
        SCOPED_TRACE(g.dump());
        ASSERT_TRUE(a.count(id)) << "grant lost across the restart";
        const json& r = a[id];
        EXPECT_TRUE(is_grant(r));
        for (const char* f : {"user", "uid", "port", "protocol", "source"})
            EXPECT_EQ(r[f], g[f]) << f;
        EXPECT_LE(abs_diff(grant_time(r, "end"), grant_time(g, "end")), seconds(1));
        EXPECT_LE(abs_diff(grant_time(r, "start"), grant_time(g, "start")), seconds(1));
    }
    auto s = d.request({{"op", "status"}});
    EXPECT_EQ(s["grants"], 4);
    EXPECT_EQ(s["ports"][0]["active_grants"], 3);
    EXPECT_EQ(s["ports"][1]["active_grants"], 1);
    std::vector<std::string> ends;
    for (const auto& g : after["grants"]) ends.push_back(g["end"]);
    EXPECT_TRUE(std::is_sorted(ends.begin(), ends.end())) << "list is sorted by end time";

    // The rebuilt grants are fully alive: revoke one, watch its door close.
    for (const auto& [id, g] : a) {
        if (g["source"] == std::string(TestAddrs::client4) + "/32") {
            ASSERT_TRUE(is_ok(d.request({{"op", "revoke"}, {"id", id}}, req)));
        }
    }
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22));
    EXPECT_TRUE(tcp_open(TestAddrs::client6, 22));
}

// B1: the reason lives in the element's comment, so a restart lists it again; one too long for
// the kernel's comment comes back cut and marked, and later events journal what is kept.
TEST_F(RestartReload, Kill9ThenRestartKeepsEachGrantsReason) {
    auto& d = start();
    const auto& req = users().requester.id;
    const std::string reason = "INC-4521: restart nginx, \"urgent\"";
    const std::string long_reason = "deploy " + std::string(240, 'x');
    json a = open_request(22, TestAddrs::client4, "1h"),
         b = open_request(22, TestAddrs::client6, "1h");
    a["reason"] = reason;
    b["reason"] = long_reason;
    const json ga = d.request(a, req), gb = d.request(b, req);
    ASSERT_TRUE(is_ok(ga) && is_ok(gb));
    const std::string ida = ga["grant"]["id"], idb = gb["grant"]["id"];
    EXPECT_EQ(d.ruleset().find("\"urgent"), std::string::npos)
        << "the reason never brings a quote into the ruleset\n"
        << d.ruleset();

    d.kill9();
    d.start();

    const json after = d.request({{"op", "list"}});
    const auto ra = find_grant(after, ida), rb = find_grant(after, idb);
    ASSERT_TRUE(ra && rb) << after.dump();
    EXPECT_EQ((*ra)["reason"], reason);
    const std::string cut = (*rb)["reason"];
    const std::string mark = "\xe2\x80\xa6";
    ASSERT_TRUE(cut.size() > mark.size() && cut.ends_with(mark)) << cut;
    const std::string kept = cut.substr(0, cut.size() - mark.size());
    EXPECT_GE(kept.size(), 40u) << cut;
    EXPECT_EQ(long_reason.substr(0, kept.size()), kept);

    // The rebuilt grant's events carry the reason, and the cause apart from it.
    ASSERT_TRUE(is_ok(d.request({{"op", "revoke"}, {"id", ida}}, req)));
    auto rv = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", ida}});
    ASSERT_TRUE(rv) << journal_.dump();
    EXPECT_EQ(journal_field(*rv, "JITD_REASON"), reason);
    EXPECT_EQ(journal_field(*rv, "JITD_CAUSE"), "requested");
}

TEST_F(RestartReload, BrokenPolicyOnReloadChangesNothing) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    auto g = d.request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
    ASSERT_TRUE(is_ok(g));
    const json status_before = d.request({{"op", "status"}});

    d.rewrite_policy("ports:\n  - port: 70000\n");
    auto r = d.request({{"op", "reload"}}, users().admin.id);
    ASSERT_TRUE(is_error(r, "policy_invalid"));
    EXPECT_NE(r["error"]["message"].get<std::string>().find("policy.yaml:2:"), std::string::npos)
        << "the message names FILE:LINE:COL: " << r.dump();
    auto op = journal_.wait_for({{"JITD_EVENT", "reload"}, {"JITD_ERROR", "policy_invalid"}});
    ASSERT_TRUE(op) << journal_.dump();
    EXPECT_EQ(journal_field(*op, "JITD_UID"), std::to_string(users().admin.id.uid));
    EXPECT_EQ(journal_field(*op, "JITD_POLICY"), d.policy_path());

    d.rewrite_policy(default_policy() + "surprise: true\n");
    d.reload_sighup();
    auto both =
        journal_.wait_for_count({{"JITD_EVENT", "reload"}, {"JITD_ERROR", "policy_invalid"}}, 2);
    ASSERT_EQ(both.size(), 2u) << "a refused SIGHUP reload is journaled\n" << journal_.dump();
    EXPECT_EQ(journal_field(both[1], "JITD_USER"), "root");

    ASSERT_TRUE(d.running());
    const json status_after = d.request({{"op", "status"}});
    EXPECT_EQ(status_after["ports"], status_before["ports"]);
    EXPECT_TRUE(find_grant(d.request({{"op", "list"}}), g["grant"]["id"]));
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22));
}

TEST_F(RestartReload, ReloadDroppingAPortOrSourceRevokes) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    const auto& req = users().requester.id;
    auto rdp = d.request(open_request(3389, TestAddrs::client4, "10s"), req);
    auto ssh4 = d.request(open_request(22, TestAddrs::client4b, "1h"), req);
    auto ssh6 = d.request(open_request(22, TestAddrs::client6, "1h"), req);
    ASSERT_TRUE(is_ok(rdp) && is_ok(ssh4) && is_ok(ssh6));
    const std::string rdp_id = rdp["grant"]["id"], ssh4_id = ssh4["grant"]["id"];
    ASSERT_NE(d.ruleset().find(rdp_id), std::string::npos) << "the element carries its id";

    // Drop port 3389 (op reload): its grant goes, from the list and from the kernel.
    std::string policy = default_policy();
    auto from = policy.find("  - port: 3389");
    auto to = policy.find("  - port: 5985");
    ASSERT_TRUE(from != std::string::npos && to != std::string::npos);
    d.rewrite_policy(policy.substr(0, from) + policy.substr(to));
    auto r = d.request({{"op", "reload"}}, users().admin.id);
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(r["revoked"], json::array({rdp_id}));
    auto rv = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", rdp_id}});
    ASSERT_TRUE(rv) << journal_.dump();
    EXPECT_EQ(journal_field(*rv, "JITD_CAUSE"), "policy");
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "reload"}})) << journal_.dump();
    EXPECT_EQ(d.ruleset().find(rdp_id), std::string::npos) << d.ruleset();
    EXPECT_EQ(listed_ids(d.request({{"op", "list"}})).size(), 2u);
    EXPECT_TRUE(tcp_open(TestAddrs::client4b, 22));

    // Narrow 22 to IPv6 only (SIGHUP): the IPv4 grant is revoked and its door closes.
    PolicyOptions o;
    o.access = users().access_yaml();
    o.port22_sources = "[2001:db8:99::/64]";
    d.rewrite_policy(make_policy(o));
    d.reload_sighup();
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", ssh4_id}}))
        << journal_.dump();
    EXPECT_TRUE(poll_until([&] { return !find_grant(d.request({{"op", "list"}}), ssh4_id); }));
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "the revoked source's door must close";
    EXPECT_TRUE(tcp_open(TestAddrs::client6, 22)) << "a grant the new policy allows stays";
    auto s = d.request({{"op", "status"}});
    EXPECT_EQ(s["ports"][0]["allowed_sources"], json::array({"2001:db8:99::/64"}));
}

TEST_F(RestartReload, ReloadChangingAPortsProtocolRevokesTheOldProtocolsGrants) {
    auto& d = start();
    auto g = d.request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
    ASSERT_TRUE(is_ok(g));
    PolicyOptions o;
    o.access = users().access_yaml();
    o.port22_protocol = "udp";
    d.rewrite_policy(make_policy(o));
    auto r = d.request({{"op", "reload"}});
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(r["revoked"], json::array({g["grant"]["id"]})) << "tcp/22 is no longer protected";
    EXPECT_TRUE(listed_ids(d.request({{"op", "list"}})).empty());
    EXPECT_TRUE(is_error(d.request(open_request(22, TestAddrs::client4, "1h", "tcp")),
                         "port_not_protected"));
    auto u = d.request(open_request(22, TestAddrs::client4, "1h"));
    ASSERT_TRUE(is_ok(u));
    EXPECT_EQ(u["grant"]["protocol"], "udp");
}

TEST_F(RestartReload, ReloadProtectingANewPortKeepsEstablishedConnections) {
    PolicyOptions o;
    o.access = users().access_yaml();
    o.with_5985 = false;
    auto& d = start(make_policy(o));
    TcpEchoServer winrm(d.net().server(), 5985);
    ASSERT_TRUE(tcp_open(TestAddrs::client4, 5985)) << "an unprotected port is not touched";
    TcpClient kept(d.net().client(), TestAddrs::client4, TestAddrs::server4, 5985);
    ASSERT_TRUE(kept.connected());

    o.with_5985 = true;
    d.rewrite_policy(make_policy(o));
    ASSERT_TRUE(is_ok(d.request({{"op", "reload"}})));
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 5985)) << "a newly protected port closes";
    EXPECT_TRUE(kept.echo("ping\n")) << "an established connection survives the reload";
    auto s = d.request({{"op", "status"}});
    EXPECT_EQ(s["ports"].size(), 3u);
}

// Grants in each of the four grant sets (IPv4 and IPv6, hosts and prefixes), which a restart
// dumps concurrently: after kill -9 and start, the book lists every grant again and its keys
// are exactly the kernel's elements.
TEST_F(RestartReload, Kill9ThenRestartRebuildsGrantsOfAllFourSets) {
    auto& d = start(make_policy({.access = users().access_yaml(), .max_grants_per_user = 200}));
    constexpr int kPerSet = 10;
    for (int i = 1; i <= kPerSet; ++i) {
        const std::string n = std::to_string(i);
        for (const std::string& src : {"10.1.0." + n, "10.2." + n + ".0/24", "2001:db8:1::" + n,
                                       "2001:db8:2:" + n + "::/64"}) {
            // A journald behind on a busy machine makes jitd answer "try again later".
            json r;
            ASSERT_TRUE(poll_until([&] {
                r = d.request(open_request(22, src, "1h"), users().requester.id);
                return !is_error(r, "audit_unavailable");
            }));
            ASSERT_TRUE(is_ok(r)) << src << ": " << r.dump();
        }
    }
    auto kernel_keys = [&] {
        std::vector<std::string> out;
        d.net().server().run([&] {
            for (const auto& l : nft::Session::open().list_elements()) out.push_back(l.key.str());
        });
        std::sort(out.begin(), out.end());
        return out;
    };
    const auto keys_before = kernel_keys();
    ASSERT_EQ(keys_before.size(), 4u * kPerSet);
    const json before = d.request({{"op", "list"}});

    d.kill9();
    d.start();

    const json after = d.request({{"op", "list"}});
    EXPECT_EQ(by_id(after).size(), 4u * kPerSet);
    for (const auto& [id, g] : by_id(before)) {
        ASSERT_TRUE(by_id(after).count(id)) << "lost across the restart: " << g.dump();
        EXPECT_EQ(by_id(after)[id]["source"], g["source"]);
    }
    std::vector<std::string> book_keys;
    for (const auto& g : after["grants"]) {
        auto p = nft::parse_prefix(g["source"].get<std::string>());
        ASSERT_TRUE(p) << g.dump();
        book_keys.push_back(nft::ElementKey{*p, nft::L4::tcp, 22}.str());
    }
    std::sort(book_keys.begin(), book_keys.end());
    EXPECT_EQ(book_keys, keys_before) << "the book holds exactly the kernel's elements";
    EXPECT_EQ(kernel_keys(), keys_before) << "the restart changed nothing in the kernel";
    EXPECT_EQ(d.request({{"op", "status"}})["grants"], 4 * kPerSet);
}

TEST_F(RestartReload, StoppedDaemonFailsClosedAndGrantsStillExpire) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    // The grant must outlive the checks below: in a TCG test VM (scripts/kernels) the stop and
    // the journal and ruleset reads take seconds, so the live grant is probed first.
    auto g = d.request(open_request(22, TestAddrs::client4, "6s"), users().requester.id);
    ASSERT_TRUE(is_ok(g));
    EXPECT_EQ(d.stop(SIGTERM), 0) << "SIGTERM is a clean exit";
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22)) << "a live grant stays usable";
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "stop"}})) << journal_.dump();
    EXPECT_FALSE(d.ruleset().empty()) << "the table stays when jitd stops";

    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "protected ports stay closed";
    EXPECT_TRUE(wait_tcp_closed(TestAddrs::client4, 22)) << "and still ends on time";
    EXPECT_FALSE(tcp_open(TestAddrs::client6, 22));
}

}  // namespace
}  // namespace jitd::test
