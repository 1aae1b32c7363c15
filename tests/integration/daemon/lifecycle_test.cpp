// A grant's life with real packets: open -> connect -> expire -> blocked, revoke, extend,
// supersede, IPv6 and CIDR grants, and the journal entries each step leaves.
#include <string>

#include "agent/audit_events.hpp"
#include "agent/wire/timefmt.hpp"
#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using agent::audit_info;
using agent::AuditKind;
using std::chrono::seconds;

std::string message_id(AuditKind k) {
    return std::string(audit_info(k).message_id);
}

class Lifecycle : public DaemonTest {};

TEST_F(Lifecycle, OpenConnectExpireBlockedWithJournal) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    ASSERT_TRUE(
        journal_.wait_for({{"JITD_EVENT", "start"}, {"MESSAGE_ID", message_id(AuditKind::start)}}))
        << "no start entry";
    ASSERT_FALSE(tcp_open(TestAddrs::client4, 22)) << "port 22 must be closed before a grant";

    const auto& who = users().requester;
    auto r = d.request(open_request(22, TestAddrs::client4, "2s"), who.id);
    ASSERT_TRUE(is_ok(r));
    ASSERT_FALSE(r.contains("superseded"));
    const json g = r["grant"];
    ASSERT_TRUE(is_grant(g));
    const std::string id = g["id"];
    EXPECT_EQ(g["user"], who.name);
    EXPECT_EQ(g["uid"], who.id.uid);
    EXPECT_EQ(g["port"], 22);
    EXPECT_EQ(g["protocol"], "tcp");
    EXPECT_EQ(g["source"], std::string(TestAddrs::client4) + "/32");
    EXPECT_EQ(g["reason"], "");
    EXPECT_EQ(grant_time(g, "end") - grant_time(g, "start"), seconds(2));

    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22)) << "the granted source must get in";
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22)) << "another source must stay out";
    TcpClient kept(d.net().client(), TestAddrs::client4, TestAddrs::server4, 22);
    ASSERT_TRUE(kept.connected());

    auto e = journal_.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", id}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "MESSAGE_ID"), message_id(AuditKind::grant));
    EXPECT_EQ(journal_field(*e, "JITD_USER"), who.name);
    EXPECT_EQ(journal_field(*e, "JITD_UID"), std::to_string(who.id.uid));
    EXPECT_EQ(journal_field(*e, "JITD_PORT"), "22");
    EXPECT_EQ(journal_field(*e, "JITD_PROTOCOL"), "tcp");
    EXPECT_EQ(journal_field(*e, "JITD_SOURCE"), g["source"]);
    EXPECT_EQ(journal_field(*e, "JITD_START"), g["start"]);
    EXPECT_EQ(journal_field(*e, "JITD_END"), g["end"]);
    EXPECT_FALSE(journal_field(*e, "MESSAGE").empty());

    EXPECT_TRUE(wait_tcp_closed(TestAddrs::client4, 22)) << "the door must close at the end";
    EXPECT_TRUE(kept.echo("still here\n")) << "an established connection outlives its grant";

    auto x = journal_.wait_for({{"JITD_EVENT", "expire"}, {"JITD_GRANT_ID", id}});
    ASSERT_TRUE(x) << journal_.dump();
    EXPECT_EQ(journal_field(*x, "MESSAGE_ID"), message_id(AuditKind::expire));
    EXPECT_EQ(journal_field(*x, "JITD_USER"), who.name);
    EXPECT_EQ(journal_field(*x, "JITD_PORT"), "22");
    EXPECT_EQ(journal_field(*x, "JITD_SOURCE"), g["source"]);
    EXPECT_EQ(journal_field(*x, "JITD_CAUSE"), "expired");
    EXPECT_TRUE(poll_until([&] {
        return !find_grant(d.request({{"op", "list"}}), id);
    })) << "an expired grant must leave the list";
}

TEST_F(Lifecycle, RevokeClosesTheDoorAtOnce) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    auto r = d.request(open_request(22, TestAddrs::client4, "1h"), users().requester.id);
    ASSERT_TRUE(is_ok(r));
    const std::string id = r["grant"]["id"];
    ASSERT_TRUE(tcp_open(TestAddrs::client4, 22));

    auto v = d.request({{"op", "revoke"}, {"id", id}}, users().requester.id);
    ASSERT_TRUE(is_ok(v));
    ASSERT_TRUE(is_grant(v["grant"]));
    EXPECT_EQ(v["grant"]["id"], id);
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22)) << "revoke must close the door before answering";
    EXPECT_FALSE(find_grant(d.request({{"op", "list"}}), id));

    auto e = journal_.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", id}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "MESSAGE_ID"), message_id(AuditKind::revoke));
    EXPECT_EQ(journal_field(*e, "JITD_PORT"), "22");
    EXPECT_EQ(journal_field(*e, "JITD_USER"), users().requester.name);
    EXPECT_EQ(journal_field(*e, "JITD_CAUSE"), "requested");
    EXPECT_EQ(journal_field(*e, "JITD_ACTOR"), users().requester.name);
    EXPECT_TRUE(is_error(d.request({{"op", "revoke"}, {"id", id}}), "not_found"));
}

TEST_F(Lifecycle, ExtendMovesTheEndBothWays) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    const auto& who = users().requester.id;

    // Longer: the door stays open past the first end.
    auto a = d.request(open_request(22, TestAddrs::client4, "2s"), who);
    ASSERT_TRUE(is_ok(a));
    const std::string id = a["grant"]["id"];
    const auto first_end = grant_time(a["grant"], "end");
    auto x = d.request({{"op", "extend"}, {"id", id}, {"duration", "1h"}}, who);
    ASSERT_TRUE(is_ok(x));
    ASSERT_TRUE(is_grant(x["grant"]));
    EXPECT_EQ(x["grant"]["id"], id);
    EXPECT_GE(grant_time(x["grant"], "end"), first_end + seconds(3590));
    auto listed = find_grant(d.request({{"op", "list"}}), id);
    ASSERT_TRUE(listed);
    EXPECT_EQ((*listed)["end"], x["grant"]["end"]);
    auto e = journal_.wait_for({{"JITD_EVENT", "extend"}, {"JITD_GRANT_ID", id}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "MESSAGE_ID"), message_id(AuditKind::extend));
    EXPECT_EQ(journal_field(*e, "JITD_END"), x["grant"]["end"]);
    // Wait (by the clock) until the first end has surely passed, then probe.
    poll_until([&] { return wire::now_seconds() > first_end + seconds(1); }, seconds(5));
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22)) << "the kernel must carry the new end";

    // Shorter: extend sets end = now + duration, so the door closes soon.
    auto y = d.request({{"op", "extend"}, {"id", id}, {"duration", "1s"}}, who);
    ASSERT_TRUE(is_ok(y));
    EXPECT_LE(grant_time(y["grant"], "end"), wire::now_seconds() + seconds(2));
    EXPECT_TRUE(wait_tcp_closed(TestAddrs::client4, 22));

    // Beyond the port's max: refused, nothing changes.
    auto b = d.request(open_request(22, TestAddrs::client4b, "1h"), who);
    ASSERT_TRUE(is_ok(b));
    EXPECT_TRUE(
        is_error(d.request({{"op", "extend"}, {"id", b["grant"]["id"]}, {"duration", "2h"}}, who),
                 "duration_exceeds_max"));
    EXPECT_EQ((*find_grant(d.request({{"op", "list"}}), b["grant"]["id"]))["end"],
              b["grant"]["end"]);
}

TEST_F(Lifecycle, SameRequestTwiceSupersedes) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    const auto& who = users().requester.id;
    auto a = d.request(open_request(22, TestAddrs::client4, "1h"), who);
    ASSERT_TRUE(is_ok(a));
    auto b = d.request(open_request(22, TestAddrs::client4, "30m"), who);
    ASSERT_TRUE(is_ok(b));
    const std::string first = a["grant"]["id"], second = b["grant"]["id"];
    EXPECT_NE(first, second);
    EXPECT_EQ(b.value("superseded", ""), first);
    auto ids = listed_ids(d.request({{"op", "list"}}));
    EXPECT_EQ(ids, std::vector<std::string>{second});
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
    auto e = journal_.wait_for({{"JITD_EVENT", "supersede"}});
    ASSERT_TRUE(e) << journal_.dump();
    EXPECT_EQ(journal_field(*e, "MESSAGE_ID"), message_id(AuditKind::supersede));
    EXPECT_EQ(journal_field(*e, "JITD_GRANT_ID"), first) << "the old grant's fields";
    EXPECT_EQ(journal_field(*e, "JITD_SUPERSEDED_BY"), second);
    EXPECT_EQ(journal_field(*e, "JITD_CAUSE"), "superseded");

    // The kernel element carries the new end: shorten through a third request and watch it close.
    auto c = d.request(open_request(22, TestAddrs::client4, "1s"), who);
    ASSERT_TRUE(is_ok(c));
    EXPECT_EQ(c.value("superseded", ""), second);
    EXPECT_TRUE(wait_tcp_closed(TestAddrs::client4, 22));
}

TEST_F(Lifecycle, Ipv6GrantEndToEnd) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    ASSERT_FALSE(tcp_open(TestAddrs::client6, 22));
    auto r = d.request(open_request(22, TestAddrs::client6, "2s"), users().requester.id);
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(r["grant"]["source"], std::string(TestAddrs::client6) + "/128");
    EXPECT_TRUE(tcp_open(TestAddrs::client6, 22));
    EXPECT_FALSE(tcp_open(TestAddrs::client6b, 22));
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22));
    EXPECT_TRUE(wait_tcp_closed(TestAddrs::client6, 22));
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "expire"}, {"JITD_GRANT_ID", r["grant"]["id"]}}))
        << journal_.dump();
}

TEST_F(Lifecycle, CidrGrantsCoverTheirHostsAndHostsGetTheirOwn) {
    auto& d = start();
    TcpEchoServer ssh(d.net().server(), 22);
    const auto& who = users().requester.id;
    auto v4 = d.request(open_request(22, "198.51.100.0/30", "1h"), who);
    ASSERT_TRUE(is_ok(v4));
    EXPECT_EQ(v4["grant"]["source"], "198.51.100.0/30");
    auto v6 = d.request(open_request(22, "2001:db8:99::/126", "1h"), who);
    ASSERT_TRUE(is_ok(v6));
    EXPECT_EQ(v6["grant"]["source"], "2001:db8:99::/126");
    for (const char* src :
         {TestAddrs::client4, TestAddrs::client4b, TestAddrs::client6, TestAddrs::client6b})
        EXPECT_TRUE(tcp_open(src, 22)) << src;

    // A host inside the prefix gets a grant of its own, which outlives the prefix's revoke.
    auto host = d.request(open_request(22, TestAddrs::client4, "1h"), users().admin.id);
    ASSERT_TRUE(is_ok(host));
    EXPECT_FALSE(host.contains("superseded"));
    ASSERT_TRUE(is_ok(d.request({{"op", "revoke"}, {"id", v4["grant"]["id"]}}, who)));
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22));
    EXPECT_TRUE(tcp_open(TestAddrs::client6b, 22));
}

TEST_F(Lifecycle, AnyProtocolGrantIsExtendedAndRevokedAsOne) {
    auto& d = start();
    TcpEchoServer tcp(d.net().server(), 3389);
    UdpEchoServer udp(d.net().server(), 3389);
    const auto& who = users().requester.id;
    auto a = d.request(open_request(3389, TestAddrs::client4, "10s"), who);
    ASSERT_TRUE(is_ok(a));
    ASSERT_TRUE(
        is_ok(d.request({{"op", "extend"}, {"id", a["grant"]["id"]}, {"duration", "1s"}}, who)));
    EXPECT_TRUE(poll_until([&] { return !udp_open(TestAddrs::client4, 3389); }, seconds(8)));
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 3389)) << "both elements carry the new end";

    auto b = d.request(open_request(3389, TestAddrs::client6, "10s"), who);
    ASSERT_TRUE(is_ok(b));
    ASSERT_TRUE(tcp_open(TestAddrs::client6, 3389) && udp_open(TestAddrs::client6, 3389));
    ASSERT_TRUE(is_ok(d.request({{"op", "revoke"}, {"id", b["grant"]["id"]}}, who)));
    EXPECT_FALSE(tcp_open(TestAddrs::client6, 3389));
    EXPECT_FALSE(udp_open(TestAddrs::client6, 3389));
}

TEST_F(Lifecycle, AlwaysAllowNeedsNoGrant) {
    PolicyOptions o;
    o.access = users().access_yaml();
    o.always_allow = "[198.51.100.3/32, 2001:db8:99::3/128]";
    auto& d = start(make_policy(o));
    TcpEchoServer ssh(d.net().server(), 22);
    EXPECT_TRUE(tcp_open(TestAddrs::client4b, 22));
    EXPECT_TRUE(tcp_open(TestAddrs::client6b, 22));
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22));
    EXPECT_FALSE(tcp_open(TestAddrs::client6, 22));
    // PROTOCOL.md does not say whether host entries carry their length here: accept both.
    auto s = d.request({{"op", "status"}});
    std::vector<std::string> listed;
    for (const auto& a : s["always_allow"]) {
        std::string t = a;
        if (t.find('/') == std::string::npos)
            t += t.find(':') == std::string::npos ? "/32" : "/128";
        listed.push_back(t);
    }
    EXPECT_EQ(listed, (std::vector<std::string>{"198.51.100.3/32", "2001:db8:99::3/128"}));
}

TEST_F(Lifecycle, AnyProtocolGrantOpensTcpAndUdp) {
    auto& d = start();
    TcpEchoServer tcp(d.net().server(), 3389);
    UdpEchoServer udp(d.net().server(), 3389);
    ASSERT_FALSE(tcp_open(TestAddrs::client4, 3389));
    ASSERT_FALSE(udp_open(TestAddrs::client4, 3389));
    auto r = d.request(open_request(3389, TestAddrs::client4, "2s"), users().requester.id);
    ASSERT_TRUE(is_ok(r));
    EXPECT_EQ(r["grant"]["protocol"], "any");
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 3389));
    EXPECT_TRUE(udp_open(TestAddrs::client4, 3389));
    EXPECT_TRUE(poll_until([&] { return !udp_open(TestAddrs::client4, 3389); }, seconds(8)));
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 3389));

    auto u = d.request(open_request(3389, TestAddrs::client4b, "1h", "udp"), users().requester.id);
    ASSERT_TRUE(is_error(u, "duration_exceeds_max"));  // 3389's max is 10s
    u = d.request(open_request(3389, TestAddrs::client4b, "5s", "udp"), users().requester.id);
    ASSERT_TRUE(is_ok(u));
    EXPECT_EQ(u["grant"]["protocol"], "udp");
    EXPECT_TRUE(udp_open(TestAddrs::client4b, 3389));
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 3389));
}

}  // namespace
}  // namespace jitd::test
