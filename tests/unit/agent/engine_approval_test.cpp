// The two-person rule over the in-memory kernel: an open of an approval port is kept pending
// and opens nothing; approve, reject, cancel and lapse, each with its refusals and journal
// entry; the grant made at the last approval, through the same decision as any open.
#include "agent/daemon/approval_rules.hpp"
#include "tests/unit/agent/engine_harness.hpp"

namespace jitd::agent::testing {
namespace {

using nft::L4;

// daemon (kAlice) and bin (kBob) request; bin, sys (kViewer) and sync (kStranger) approve.
const char* kApprovalPolicy = R"(
ports:
  - port: 22
    protocol: tcp
    max_duration: 1h
    approval:
      approvers: {users: [bin, sys]}
      wait: 5m
  - port: 2222
    protocol: tcp
    approval:
      approvers: {users: [bin, sys, sync]}
      required: 2
      notify: [/usr/local/bin/tell, "#ops"]
  - port: 23
    protocol: tcp
    approval:
      approvers: {users: [sys]}
      admins_bypass: true
  - port: 80
    protocol: tcp
access:
  requesters:
    users: [daemon, bin]
  viewers:
    users: [sys]
limits:
  max_grants_per_user: 2
)";

Request with_id(Op op, const std::string& id, const std::string& reason = "") {
    Request r;
    r.op = op;
    r.id = id;
    r.reason = reason;
    return r;
}

struct ApprovalHarness : EngineHarness {
    ApprovalHarness() : EngineHarness(kApprovalPolicy) {}
    json approve(const Peer& p, const std::string& id, const std::string& why = "") {
        return submit(p, with_id(Op::approve, id, why));
    }
    json reject(const Peer& p, const std::string& id, const std::string& why = "") {
        return submit(p, with_id(Op::reject, id, why));
    }
    json cancel(const Peer& p, const std::string& id) { return submit(p, with_id(Op::cancel, id)); }
    json pending(const Peer& p) {
        Request r;
        r.op = Op::pending;
        return submit(p, r);
    }
    std::string ask(const Peer& p, std::uint16_t port, const std::string& source = "203.0.113.7") {
        const json r = open(p, port, source, 10min, "deploy");
        EXPECT_EQ(code(r), "ok") << r.dump();
        EXPECT_FALSE(r.contains("grant")) << r.dump();
        return r.contains("pending") ? r["pending"]["id"].get<std::string>() : "";
    }
};

TEST(EngineApproval, OpenOfAnApprovalPortIsPendingAndOpensNothing) {
    ApprovalHarness h;
    const json r = h.open(kAlice, 22, "203.0.113.7", 10min, "deploy");
    ASSERT_EQ(code(r), "ok") << r.dump();
    ASSERT_TRUE(r.contains("pending")) << r.dump();
    const json& p = r["pending"];
    EXPECT_TRUE(is_request_id(p["id"].get<std::string>())) << p.dump();
    EXPECT_EQ(p["user"], "daemon");
    EXPECT_EQ(p["source"], "203.0.113.7/32");
    EXPECT_EQ(p["protocol"], "tcp");
    EXPECT_EQ(p["duration"], "10m");
    EXPECT_EQ(p["required"], 1);
    EXPECT_TRUE(p["approvals"].empty());
    EXPECT_TRUE(h.kernel.list_elements().empty()) << "nothing in the grant sets";
    EXPECT_EQ(h.engine().book().size(), 0u);
    ASSERT_EQ(h.events("request").size(), 1u);
    EXPECT_EQ(h.events("request")[0]["JITD_REQUEST_ID"], p["id"]);
    EXPECT_EQ(h.events("request")[0]["JITD_REASON"], "deploy");
    EXPECT_TRUE(h.events("grant").empty());
}

TEST(EngineApproval, AnOpenWithWaitNamesTheRequestItsConnectionWaitsFor) {
    ApprovalHarness h;
    std::vector<std::pair<std::string, json>> decided;
    h.engine().set_on_decided(
        [&](const std::string& id, const json& answer) { decided.emplace_back(id, answer); });
    const json r = json::parse(h.engine().handle(
        kAlice, R"({"op":"open","port":22,"source":"203.0.113.7","duration":"10m","wait":true})"));
    ASSERT_EQ(code(r), "ok") << r.dump();
    const auto id = h.engine().take_waiting();
    ASSERT_TRUE(id);
    EXPECT_EQ(*id, r["pending"]["id"]);
    EXPECT_FALSE(h.engine().take_waiting()) << "taken once";
    // Without wait, or answered at once: no connection waits.
    (void)h.engine().handle(kBob, R"({"op":"open","port":22,"source":"203.0.113.8"})");
    EXPECT_FALSE(h.engine().take_waiting());
    (void)h.engine().handle(kAlice,
                            R"({"op":"open","port":80,"source":"203.0.113.7","wait":true})");
    EXPECT_FALSE(h.engine().take_waiting());
    const json bad = json::parse(
        h.engine().handle(kAlice, R"({"op":"open","port":22,"source":"203.0.113.7","wait":1})"));
    EXPECT_EQ(code(bad), "bad_request") << bad.dump();
    EXPECT_FALSE(h.engine().take_waiting());
    // The decision reaches the waiter's hook with the grant.
    ASSERT_EQ(code(h.approve(kViewer, *id)), "ok");
    ASSERT_EQ(decided.size(), 1u);
    EXPECT_EQ(decided[0].first, *id);
    EXPECT_TRUE(decided[0].second.contains("grant")) << decided[0].second.dump();
    h.engine().set_on_decided(nullptr);
}

TEST(EngineApproval, OneApprovalGrantsFromThatMomentWithItsRecord) {
    ApprovalHarness h;
    const std::string id = h.ask(kAlice, 22);
    h.clock.advance(2min);
    const json r = h.approve(kBob, id, "ticket ok");
    ASSERT_EQ(code(r), "ok") << r.dump();
    ASSERT_TRUE(r.contains("grant")) << r.dump();
    EXPECT_EQ(r["request"], id);
    EXPECT_EQ(r["grant"]["user"], "daemon") << "the grant is the requester's";
    const LiveGrant* g = h.engine().book().find(r["grant"]["id"].get<std::string>());
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->grant.end - g->grant.start, 10min) << "the duration counts from the approval";
    const auto e = h.kernel.find_element(key("203.0.113.7", L4::tcp, 22));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->timeout, 10min);
    ASSERT_EQ(h.events("approve").size(), 1u);
    EXPECT_EQ(h.events("approve")[0]["JITD_ACTOR"], "bin");
    EXPECT_EQ(h.events("approve")[0]["JITD_USER"], "daemon");
    EXPECT_EQ(h.events("approve")[0]["JITD_DECISION_REASON"], "ticket ok");
    EXPECT_EQ(h.events("approve")[0]["JITD_REASON"], "deploy") << "only the requester's";
    ASSERT_EQ(h.events("grant").size(), 1u);
    EXPECT_EQ(h.events("grant")[0]["JITD_REQUEST_ID"], id);
    EXPECT_EQ(h.events("grant")[0]["JITD_APPROVERS"], "bin");
    EXPECT_EQ(h.engine().pending().size(), 0u);
    EXPECT_EQ(code(h.approve(kViewer, id)), "not_found") << "decided requests are gone";
}

TEST(EngineApproval, OwnApprovalIsRefusedEvenForAnApprover) {
    ApprovalHarness h;
    const std::string id = h.ask(kBob, 22);  // bin is an approver of 22
    const json r = h.approve(kBob, id);
    EXPECT_EQ(code(r), "not_authorized") << r.dump();
    EXPECT_NE(r["error"]["message"].get<std::string>().find("your own"), std::string::npos);
    EXPECT_EQ(code(h.approve(kRoot, h.ask(kRoot, 22))), "not_authorized")
        << "not even an admin approves their own";
    EXPECT_TRUE(h.kernel.list_elements().empty());
    EXPECT_EQ(h.engine().pending().size(), 2u);
}

TEST(EngineApproval, NonApproversAndUnknownIdsAreRefused) {
    ApprovalHarness h;
    const std::string id = h.ask(kAlice, 22);
    EXPECT_EQ(code(h.approve(kStranger, id)), "not_authorized") << "sync approves only 2222";
    EXPECT_EQ(code(h.reject(kStranger, id)), "not_authorized");
    EXPECT_EQ(code(h.approve(kBob, "r-000000000000")), "not_found");
    EXPECT_EQ(code(h.approve(kBob, "nonsense")), "not_found");
    EXPECT_EQ(h.events("deny").back()["JITD_REQUEST_ID"], "invalid");
    EXPECT_EQ(code(h.approve(kRoot, id)), "ok") << "an admin approves anyone's";
}

TEST(EngineApproval, TwoRequiredOneIsNotEnoughAndTheSameOneCountsOnce) {
    ApprovalHarness h;
    const std::string id = h.ask(kAlice, 2222);
    json r = h.approve(kBob, id);
    ASSERT_EQ(code(r), "ok") << r.dump();
    ASSERT_TRUE(r.contains("pending")) << r.dump();
    EXPECT_EQ(r["pending"]["approvals"], json::array({"bin"}));
    EXPECT_TRUE(h.kernel.list_elements().empty()) << "one of two opens nothing";
    EXPECT_EQ(code(h.approve(kBob, id)), "already_approved");
    EXPECT_TRUE(h.kernel.list_elements().empty());
    r = h.approve(kStranger, id);
    ASSERT_EQ(code(r), "ok") << r.dump();
    ASSERT_TRUE(r.contains("grant"));
    EXPECT_TRUE(h.kernel.find_element(key("203.0.113.7", L4::tcp, 2222)));
    EXPECT_EQ(h.events("approve").size(), 2u);
    EXPECT_EQ(h.events("grant")[0]["JITD_APPROVERS"], "bin,sync");
}

TEST(EngineApproval, RejectEndsIt) {
    ApprovalHarness h;
    const std::string id = h.ask(kAlice, 22);
    std::vector<std::pair<std::string, std::string>> told;
    h.engine().set_on_decided(
        [&](const std::string& i, const json& answer) { told.emplace_back(i, code(answer)); });
    const json r = h.reject(kViewer, id, "not today");
    ASSERT_EQ(code(r), "ok") << r.dump();
    EXPECT_EQ(r["rejected"]["id"], id);
    EXPECT_EQ(h.engine().pending().size(), 0u);
    ASSERT_EQ(h.events("reject").size(), 1u);
    EXPECT_EQ(h.events("reject")[0]["JITD_ACTOR"], "sys");
    EXPECT_EQ(h.events("reject")[0]["JITD_DECISION_REASON"], "not today");
    EXPECT_EQ(told, (std::vector<std::pair<std::string, std::string>>{{id, "request_rejected"}}));
    EXPECT_EQ(code(h.approve(kBob, id)), "not_found");
    EXPECT_TRUE(h.kernel.list_elements().empty());
}

TEST(EngineApproval, CancelIsTheRequesters) {
    ApprovalHarness h;
    const std::string id = h.ask(kAlice, 22);
    EXPECT_EQ(code(h.cancel(kBob, id)), "not_authorized");
    const json r = h.cancel(kAlice, id);
    ASSERT_EQ(code(r), "ok") << r.dump();
    EXPECT_EQ(r["cancelled"]["id"], id);
    ASSERT_EQ(h.events("cancel").size(), 1u);
    EXPECT_EQ(h.events("cancel")[0]["JITD_ACTOR"], "daemon");
    EXPECT_EQ(code(h.cancel(kAlice, id)), "not_found");
    EXPECT_EQ(code(h.cancel(kRoot, h.ask(kBob, 22))), "ok") << "an admin cancels anyone's";
}

TEST(EngineApproval, UndecidedRequestsLapseAfterTheWait) {
    ApprovalHarness h;
    const std::string id = h.ask(kAlice, 22);
    ASSERT_TRUE(h.engine().next_deadline()) << "the daemon wakes for the lapse";
    h.clock.advance(4min);
    EXPECT_EQ(h.engine().expire_due(), 0u);
    EXPECT_EQ(h.engine().pending().size(), 1u);
    h.clock.advance(1min);
    h.engine().expire_due();
    EXPECT_EQ(h.engine().pending().size(), 0u);
    ASSERT_EQ(h.events("lapse").size(), 1u);
    EXPECT_EQ(h.events("lapse")[0]["JITD_REQUEST_ID"], id);
    EXPECT_EQ(h.events("lapse")[0]["JITD_CAUSE"], "lapsed");
    EXPECT_EQ(code(h.approve(kBob, id)), "not_found");
    EXPECT_TRUE(h.kernel.list_elements().empty());
}

TEST(EngineApproval, TheOpenIsCheckedWhenAskedAndAgainWhenApproved) {
    ApprovalHarness h;
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7", 2h)), "duration_exceeds_max");
    EXPECT_EQ(code(h.open(kViewer, 22, "203.0.113.7")), "not_authorized");
    EXPECT_TRUE(h.engine().pending().size() == 0u);
    EXPECT_TRUE(h.events("request").empty()) << "refusals are denies";
    const std::string a = h.ask(kAlice, 22, "203.0.113.7");
    const std::string b = h.ask(kAlice, 22, "203.0.113.8");
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.9")), "limit_reached") << "pending are capped";
    id_of(h.open(kAlice, 80, "203.0.113.10"));
    id_of(h.open(kAlice, 80, "203.0.113.11"));
    const json r = h.approve(kBob, a);
    EXPECT_EQ(code(r), "limit_reached") << "the limit is checked again at approval: " << r.dump();
    EXPECT_EQ(h.engine().pending().find(a), nullptr) << "and the request ends";
    EXPECT_FALSE(h.kernel.find_element(key("203.0.113.7", L4::tcp, 22)));
    EXPECT_NE(h.engine().pending().find(b), nullptr);
}

TEST(EngineApproval, AReloadThatDropsThePortEndsTheRequestAtApproval) {
    ApprovalHarness h;
    const std::string id = h.ask(kAlice, 22);
    h.write_policy(
        "ports:\n  - port: 80\n    protocol: tcp\naccess:\n  requesters:\n"
        "    users: [daemon, bin]\n");
    ASSERT_FALSE(h.engine().reload("root", 0).refusal);
    const json r = h.approve(kRoot, id);
    EXPECT_EQ(code(r), "port_not_protected") << r.dump();
    EXPECT_EQ(h.engine().pending().find(id), nullptr);
    EXPECT_TRUE(h.kernel.list_elements().empty());
}

TEST(EngineApproval, AdminsBypassOnlyWhereThePolicySays) {
    ApprovalHarness h;
    const json bypass = h.open(kRoot, 23, "203.0.113.7");
    EXPECT_TRUE(bypass.contains("grant")) << bypass.dump();
    const json waits = h.open(kRoot, 22, "203.0.113.7");
    EXPECT_TRUE(waits.contains("pending")) << waits.dump();
    EXPECT_TRUE(h.open(kAlice, 23, "203.0.113.8").contains("pending"));
}

TEST(EngineApproval, PendingListsWhatTheCallerMaySeeOrDecide) {
    ApprovalHarness h;
    const std::string on22 = h.ask(kAlice, 22);
    const std::string on2222 = h.ask(kAlice, 2222);
    auto ids = [](const json& r) {
        std::set<std::string> out;
        for (const auto& p : r["pending"]) out.insert(p["id"].get<std::string>());
        return out;
    };
    EXPECT_EQ(ids(h.pending(kAlice)), (std::set<std::string>{on22, on2222})) << "their own";
    EXPECT_EQ(ids(h.pending(kStranger)), (std::set<std::string>{on2222})) << "an approver";
    EXPECT_EQ(ids(h.pending(kRoot)), (std::set<std::string>{on22, on2222})) << "an admin";
    const json own = h.pending(kAlice);
    EXPECT_FALSE(own["pending"][0]["may_decide"].get<bool>());
    EXPECT_TRUE(h.pending(kStranger)["pending"][0]["may_decide"].get<bool>());
    Request list;
    list.op = Op::list;
    EXPECT_EQ(ids(h.submit(kViewer, list)), (std::set<std::string>{on22, on2222}));
    Request status;
    status.op = Op::status;
    const json s = h.submit(kViewer, status);
    EXPECT_EQ(s["pending"], 2);
}

TEST(EngineApproval, AJournalThatCannotRecordTheRequestKeepsNothing) {
    ApprovalHarness h;
    h.journal_up = false;
    EXPECT_EQ(code(h.open(kAlice, 22, "203.0.113.7")), "audit_unavailable");
    EXPECT_EQ(h.engine().pending().size(), 0u);
}

TEST(EngineApproval, TheNotifyHookIsToldOfTheRequestAndEachDecision) {
    ApprovalHarness h;
    struct Told {
        std::vector<std::string> argv;
        std::string id, event;
        json payload;
    };
    std::vector<Told> told;
    h.engine().set_hook_runner([&](const std::vector<std::string>& argv, const std::string& id,
                                   const std::string& event, const std::string& payload) {
        told.push_back({argv, id, event, json::parse(payload)});
    });
    const std::string id = h.ask(kAlice, 2222);
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0].argv, (std::vector<std::string>{"/usr/local/bin/tell", "#ops"}));
    EXPECT_EQ(told[0].id, id);
    EXPECT_EQ(told[0].event, "request");
    const json& j = told[0].payload;
    EXPECT_EQ(j["id"], id);
    EXPECT_EQ(j["event"], "request");
    EXPECT_EQ(j["user"], "daemon");
    EXPECT_EQ(j["port"], 2222);
    EXPECT_EQ(j["channel"], "socket");
    EXPECT_EQ(j["required"], 2);
    EXPECT_EQ(j["reason"], "deploy");
    EXPECT_TRUE(j.contains("lapses") && j.contains("host")) << j.dump();

    ASSERT_EQ(code(h.approve(kBob, id)), "ok");
    ASSERT_EQ(told.size(), 2u);
    EXPECT_EQ(told[1].event, "approve");
    EXPECT_EQ(told[1].payload["actor"], "bin");
    EXPECT_EQ(told[1].payload["decided"], false);
    ASSERT_EQ(code(h.approve(kViewer, id)), "ok");
    ASSERT_EQ(told.size(), 3u);
    EXPECT_EQ(told[2].payload["decided"], true);
    EXPECT_EQ(told[2].payload["granted"], true);
    EXPECT_EQ(told[2].payload["approvals"], json::array({"bin", "sys"}));

    const std::string rejected = h.ask(kBob, 2222, "203.0.113.9");
    ASSERT_EQ(code(h.reject(kStranger, rejected, "no ticket")), "ok");
    ASSERT_EQ(told.size(), 5u);
    EXPECT_EQ(told[4].event, "reject");
    EXPECT_EQ(told[4].payload["actor"], "sync");
    EXPECT_EQ(told[4].payload["decision_reason"], "no ticket");
    (void)h.ask(kBob, 22, "203.0.113.9");  // a port without notify tells nobody
    EXPECT_EQ(told.size(), 5u);
    h.engine().set_hook_runner(nullptr);
}

TEST(EngineApproval, AChannelsOwnRequestIdIsKeptUnlessTaken) {
    ApprovalHarness h;
    Request r;
    r.op = Op::open;
    r.port = 22;
    r.source = "203.0.113.7";
    r.duration = 10min;
    r.pending_id = "r-0123456789ab";
    const json first = h.submit(kAlice, r);
    ASSERT_EQ(code(first), "ok") << first.dump();
    EXPECT_EQ(first["pending"]["id"], "r-0123456789ab");
    const json again = h.submit(kBob, r);
    ASSERT_EQ(code(again), "ok") << again.dump();
    EXPECT_NE(again["pending"]["id"], "r-0123456789ab") << "a taken id is never shared";
    EXPECT_TRUE(is_request_id(again["pending"]["id"].get<std::string>()));
}

}  // namespace
}  // namespace jitd::agent::testing
