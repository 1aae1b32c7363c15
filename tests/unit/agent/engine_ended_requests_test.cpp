// What a waiting connection is told when a pending request ends without a grant: each end
// (reject, cancel, lapse) reaches the decision hook once, with its own error code.
#include "tests/unit/agent/engine_harness.hpp"

namespace jitd::agent::testing {
namespace {

// daemon (kAlice) requests port 22; sys (kViewer) approves; an undecided request lapses in 5m.
const char* kWaitPolicy = R"(
ports:
  - port: 22
    protocol: tcp
    max_duration: 1h
    approval:
      approvers: {users: [sys]}
      wait: 5m
access:
  requesters:
    users: [daemon]
  viewers:
    users: [sys]
)";

Request by_id(Op op, const std::string& id) {
    Request r;
    r.op = op;
    r.id = id;
    return r;
}

struct EndedRequests : ::testing::Test {
    EndedRequests() {
        h.engine().set_on_decided(
            [this](const std::string& id, const json& answer) { told.emplace_back(id, answer); });
    }
    ~EndedRequests() override { h.engine().set_on_decided(nullptr); }
    EndedRequests(const EndedRequests&) = delete;
    EndedRequests& operator=(const EndedRequests&) = delete;

    // A pending open of port 22 by kAlice; its id.
    std::string ask() {
        const json r = h.open(kAlice, 22, "203.0.113.7", 10min, "deploy");
        EXPECT_EQ(code(r), "ok") << r.dump();
        EXPECT_TRUE(r.contains("pending")) << r.dump();
        return r.contains("pending") ? r["pending"]["id"].get<std::string>() : "";
    }
    // The one answer the hook was given: for `id`, with `error_code`, naming the request.
    void expect_told(const std::string& id, const std::string& error_code) {
        ASSERT_EQ(told.size(), 1u);
        EXPECT_EQ(told[0].first, id);
        EXPECT_EQ(code(told[0].second), error_code) << told[0].second.dump();
        const std::string message = told[0].second["error"].value("message", "");
        EXPECT_NE(message.find(id), std::string::npos) << message;
        EXPECT_EQ(h.engine().pending().size(), 0u);
        EXPECT_TRUE(h.kernel.list_elements().empty()) << "no door opened";
    }

    EngineHarness h{kWaitPolicy};
    std::vector<std::pair<std::string, json>> told;
};

TEST_F(EndedRequests, ACancelTellsTheWaiterRequestCancelled) {
    const std::string id = ask();
    ASSERT_EQ(code(h.submit(kAlice, by_id(Op::cancel, id))), "ok");
    expect_told(id, "request_cancelled");
}

TEST_F(EndedRequests, ALapseTellsTheWaiterRequestLapsed) {
    const std::string id = ask();
    h.clock.advance(5min);
    EXPECT_EQ(h.engine().expire_due(), 0u) << "a lapse is no grant's expiry";
    expect_told(id, "request_lapsed");
}

TEST_F(EndedRequests, ARejectTellsTheWaiterRequestRejected) {
    const std::string id = ask();
    ASSERT_EQ(code(h.submit(kViewer, by_id(Op::reject, id))), "ok");
    expect_told(id, "request_rejected");
}

TEST_F(EndedRequests, ARefusedCancelTellsTheWaiterNothing) {
    const std::string id = ask();
    EXPECT_EQ(code(h.submit(kViewer, by_id(Op::cancel, id))), "not_authorized");
    EXPECT_TRUE(told.empty());
    EXPECT_EQ(h.engine().pending().size(), 1u);
}

}  // namespace
}  // namespace jitd::agent::testing
