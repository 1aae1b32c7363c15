// The two-person rule against the real daemon, kernel and journald: real users (a requester,
// approvers in a supplementary group), real packets in private namespaces. The door opens only
// when the last approval is in; own approvals, one of two, reject, cancel, lapse, a kill -9
// between request and approval, and a reload that drops the port; `jit-request open --wait`
// (the real client as the requester) ending with the decision or its own time limit.
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

#include "tests/integration/daemon/daemon_test.hpp"
#include "tests/support/process.hpp"

namespace jitd::test {
namespace {

class Approval : public DaemonTest {
  protected:
    // 22: one approver of the viewer group; 2222: two; 2223: lapses after 2 s. Admins (always
    // deciders) may not bypass.
    std::string policy(bool with_22 = true) {
        const std::string approvers = "{groups: [" + users().viewer_group() + "]}";
        std::string s = "ports:\n";
        if (with_22)
            s += "  - port: 22\n    protocol: tcp\n    max_duration: 1h\n    approval:\n"
                 "      approvers: " +
                 approvers + "\n      wait: 1h\n";
        s += "  - port: 2222\n    protocol: tcp\n    approval:\n      approvers: " + approvers +
             "\n      required: 2\n"
             "  - port: 2223\n    protocol: tcp\n    approval:\n      approvers: " +
             approvers + "\n      wait: 2s\n";
        s += users().access_yaml();
        return s;
    }

    // The requester asks for `port` from the client address; the pending id.
    std::string ask(std::uint16_t port) {
        const json r =
            daemon().request(open_request(port, TestAddrs::client4, "10m"), users().requester.id);
        EXPECT_TRUE(is_ok(r)) << r.dump();
        EXPECT_FALSE(r.contains("grant")) << r.dump();
        return r.contains("pending") ? r["pending"].value("id", "") : "";
    }
    // jitd started with policy(), and something listening on 22 and 2222 behind it, so that a
    // closed door is jitd's doing, not a missing server.
    void start_with_servers() {
        start(policy());
        ssh_.emplace(daemon().net().server(), 22);
        other_.emplace(daemon().net().server(), 2222);
    }
    json decide(const char* op, const std::string& id, const Identity& who) {
        return daemon().request({{"op", op}, {"id", id}}, who);
    }

    // `jit-request open PORT --wait=T` as the requester, in the background.
    Child open_waiting(std::uint16_t port, const std::string& wait) {
        const auto& u = users().requester;
        return Child::spawn(
            {"setpriv", "--reuid=" + std::to_string(u.id.uid),
             "--regid=" + std::to_string(u.id.gid), "--init-groups", "--", JIT_REQUEST_BINARY,
             "--socket", daemon().socket_path(), "open", std::to_string(port), "--from",
             TestAddrs::client4, "--for", "10m", "--wait=" + wait},
            {}, client_log());
    }
    std::string client_log() { return daemon().dir() + "/client.log"; }
    // Until the client says it waits; the pending request's id then.
    std::string waiting_id() {
        EXPECT_TRUE(poll_until(
            [&] { return read_file(client_log()).find("waiting up to") != std::string::npos; },
            std::chrono::seconds(30)))
            << read_file(client_log());
        const json list = daemon().request({{"op", "pending"}}, users().admin.id);
        return list.value("pending", json::array()).empty() ? ""
                                                            : list["pending"][0].value("id", "");
    }

  private:
    std::optional<TcpEchoServer> ssh_, other_;
};

// utime + stime of a process in clock ticks, and whether it has exited (a zombie: not reaped).
struct CpuTicks {
    long ticks = 0;
    bool exited = false;
};
std::optional<CpuTicks> cpu_ticks(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) return std::nullopt;
    std::istringstream rest(text.substr(paren + 2));
    std::string field;
    CpuTicks out;
    for (int i = 3; i <= 15 && rest >> field; ++i) {  // field 3 state, 14 utime, 15 stime
        if (i == 3) out.exited = field == "Z";
        if (i == 14 || i == 15) out.ticks += std::stol(field);
    }
    return out;
}

// The ticks the client used from now until it exits (read before it is reaped).
long ticks_until_exit(pid_t pid) {
    const auto start = cpu_ticks(pid);
    long last = start ? start->ticks : 0;
    EXPECT_TRUE(poll_until(
        [&] {
            const auto now = cpu_ticks(pid);
            if (!now) return true;
            last = now->ticks;
            return now->exited;
        },
        std::chrono::seconds(120)));
    return last - (start ? start->ticks : 0);
}

TEST_F(Approval, TheDoorOpensOnlyWhenAnApproverApproves) {
    start_with_servers();
    const std::string id = ask(22);
    ASSERT_FALSE(id.empty());
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22)) << "pending opens nothing";
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "request"}, {"JITD_REQUEST_ID", id}}))
        << journal_.dump();
    const json list = daemon().request({{"op", "pending"}}, users().viewer.id);
    ASSERT_TRUE(is_ok(list));
    ASSERT_EQ(list["pending"].size(), 1u) << list.dump();
    EXPECT_TRUE(list["pending"][0].value("may_decide", false));

    const json r = decide("approve", id, users().viewer.id);
    ASSERT_TRUE(is_ok(r)) << r.dump();
    ASSERT_TRUE(r.contains("grant")) << r.dump();
    EXPECT_TRUE(is_grant(r["grant"]));
    EXPECT_EQ(r["grant"]["user"], users().requester.name);
    // The requested 10m, counted from the approval (not from the request).
    EXPECT_EQ(grant_time(r["grant"], "end") - grant_time(r["grant"], "start"),
              std::chrono::minutes(10));
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
    const auto grant = journal_.wait_for({{"JITD_EVENT", "grant"}, {"JITD_REQUEST_ID", id}});
    ASSERT_TRUE(grant) << journal_.dump();
    EXPECT_EQ(journal_field(*grant, "JITD_APPROVERS"), users().viewer.name);
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "approve"}, {"JITD_REQUEST_ID", id}}));
}

TEST_F(Approval, OwnApprovalIsRefused) {
    start_with_servers();
    // An approver who asks is still not their own second person.
    const json mine =
        daemon().request(open_request(22, TestAddrs::client4b, "10m"), users().admin.id);
    ASSERT_TRUE(is_ok(mine)) << mine.dump();
    const std::string id = mine["pending"].value("id", "");
    EXPECT_TRUE(is_error(decide("approve", id, users().admin.id), "not_authorized"));
    EXPECT_TRUE(is_error(decide("approve", ask(22), users().requester.id), "not_authorized"));
    EXPECT_TRUE(is_error(decide("approve", id, users().stranger.id), "not_authorized"));
    EXPECT_FALSE(tcp_open(TestAddrs::client4b, 22));
}

TEST_F(Approval, TwoRequiredOneIsNotEnough) {
    start_with_servers();
    const TestUser second = users().add_user("p", {users().viewer_group()});
    const std::string id = ask(2222);
    const json one = decide("approve", id, users().viewer.id);
    ASSERT_TRUE(is_ok(one)) << one.dump();
    EXPECT_TRUE(one.contains("pending")) << one.dump();
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 2222));
    EXPECT_TRUE(is_error(decide("approve", id, users().viewer.id), "already_approved"));
    const json two = decide("approve", id, second.id);
    ASSERT_TRUE(is_ok(two)) << two.dump();
    EXPECT_TRUE(two.contains("grant")) << two.dump();
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 2222));
}

TEST_F(Approval, RejectAndCancelEndIt) {
    start_with_servers();
    const std::string rejected = ask(22);
    ASSERT_TRUE(is_ok(decide("reject", rejected, users().viewer.id)));
    EXPECT_TRUE(is_error(decide("approve", rejected, users().admin.id), "not_found"));
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "reject"}, {"JITD_REQUEST_ID", rejected}}));
    const std::string cancelled = ask(22);
    EXPECT_TRUE(is_error(decide("cancel", cancelled, users().viewer.id), "not_authorized"));
    ASSERT_TRUE(is_ok(decide("cancel", cancelled, users().requester.id)));
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "cancel"}, {"JITD_REQUEST_ID", cancelled}}));
    EXPECT_TRUE(is_error(decide("approve", cancelled, users().admin.id), "not_found"));
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22));
}

TEST_F(Approval, AnUndecidedRequestLapses) {
    start_with_servers();
    const std::string id = ask(2223);
    // The daemon's own timer journals the lapse: no request needs to come in meanwhile.
    const auto lapse = journal_.wait_for({{"JITD_EVENT", "lapse"}, {"JITD_REQUEST_ID", id}},
                                         std::chrono::seconds(30));
    ASSERT_TRUE(lapse) << journal_.dump();
    EXPECT_EQ(journal_field(*lapse, "JITD_CAUSE"), "lapsed");
    EXPECT_TRUE(is_error(decide("approve", id, users().viewer.id), "not_found"));
}

TEST_F(Approval, AKill9BetweenRequestAndApprovalLosesNothing) {
    start_with_servers();
    const TestUser second = users().add_user("p", {users().viewer_group()});
    const std::string id = ask(2222);
    ASSERT_TRUE(is_ok(decide("approve", id, users().viewer.id)));
    EXPECT_NE(daemon().ruleset().find("set pending"), std::string::npos) << daemon().ruleset();
    daemon().kill9();
    daemon().start();
    const json list = daemon().request({{"op", "pending"}}, users().admin.id);
    ASSERT_TRUE(is_ok(list));
    ASSERT_EQ(list["pending"].size(), 1u) << list.dump();
    EXPECT_EQ(list["pending"][0]["id"], id);
    EXPECT_EQ(list["pending"][0]["approvals"], json::array({users().viewer.name}))
        << "the approval so far survived";
    EXPECT_TRUE(is_error(decide("approve", id, users().viewer.id), "already_approved"));
    const json r = decide("approve", id, second.id);
    ASSERT_TRUE(is_ok(r)) << r.dump();
    EXPECT_TRUE(r.contains("grant")) << r.dump();
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 2222));
}

TEST_F(Approval, AReloadThatDropsThePortRefusesTheApproval) {
    start_with_servers();
    const std::string id = ask(22);
    daemon().rewrite_policy(policy(false));
    ASSERT_TRUE(is_ok(daemon().request({{"op", "reload"}})));
    const json r = decide("approve", id, users().admin.id);
    EXPECT_TRUE(r.value("ok", true) == false) << r.dump();
    EXPECT_EQ(r["error"].value("code", ""), "port_not_protected") << r.dump();
    // (22 is unprotected now, so open to all: what must not exist is a grant or the request.)
    EXPECT_TRUE(listed_ids(daemon().request({{"op", "list"}})).empty());
    const json left = daemon().request({{"op", "pending"}});
    EXPECT_TRUE(left["pending"].empty()) << left.dump();
    EXPECT_TRUE(journal_.wait_for(
        {{"JITD_EVENT", "deny"}, {"JITD_REQUEST_ID", id}, {"JITD_ERROR", "port_not_protected"}}))
        << journal_.dump();
}

TEST_F(Approval, OpenWaitEndsWithTheApproval) {
    start_with_servers();
    Child client = open_waiting(22, "60s");
    const std::string id = waiting_id();
    ASSERT_FALSE(id.empty());
    EXPECT_TRUE(client.running()) << "it waits for the decision";
    ASSERT_TRUE(is_ok(decide("approve", id, users().viewer.id)));
    int status = -1;
    ASSERT_TRUE(client.wait_exit(std::chrono::seconds(60), &status));
    EXPECT_EQ(status, 0) << read_file(client_log());
    EXPECT_NE(read_file(client_log()).find("granted g-"), std::string::npos)
        << read_file(client_log());
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));
}

TEST_F(Approval, OpenWaitEndsWithTheRejection) {
    start_with_servers();
    Child client = open_waiting(22, "60s");
    const std::string id = waiting_id();
    ASSERT_FALSE(id.empty());
    ASSERT_TRUE(is_ok(decide("reject", id, users().viewer.id)));
    int status = -1;
    ASSERT_TRUE(client.wait_exit(std::chrono::seconds(60), &status));
    EXPECT_EQ(status, 1) << read_file(client_log());
    EXPECT_NE(read_file(client_log()).find("request_rejected"), std::string::npos)
        << read_file(client_log());
    EXPECT_FALSE(tcp_open(TestAddrs::client4, 22));
}

TEST_F(Approval, OpenWaitRunsOutIdleAndTheRequestStaysPending) {
    start_with_servers();
    Child client = open_waiting(22, "2s");
    const std::string id = waiting_id();
    ASSERT_FALSE(id.empty());
    // A client that polled would burn ~200 ticks in 2 s; one blocked in poll() next to none.
    EXPECT_LE(ticks_until_exit(client.pid()), 5);
    int status = -1;
    ASSERT_TRUE(client.wait_exit(std::chrono::seconds(10), &status));
    EXPECT_EQ(status, 75) << read_file(client_log());
    EXPECT_NE(read_file(client_log()).find("stays pending"), std::string::npos)
        << read_file(client_log());
    const json list = daemon().request({{"op", "pending"}}, users().admin.id);
    ASSERT_EQ(list.value("pending", json::array()).size(), 1u) << list.dump();
    EXPECT_EQ(list["pending"][0]["id"], id);
    // The daemon dropped the gone client: the request can still be decided.
    EXPECT_TRUE(is_ok(decide("approve", id, users().viewer.id)));
}

}  // namespace
}  // namespace jitd::test
