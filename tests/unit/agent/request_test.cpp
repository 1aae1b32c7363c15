// Strict request parsing: every malformed shape is a bad_request with a message that says why.
#include <gtest/gtest.h>

#include "agent/daemon/grant_rules.hpp"
#include "agent/daemon/op_table.hpp"
#include "agent/daemon/request.hpp"
#include "config/policy_loader.hpp"

namespace jitd::agent {
namespace {

using namespace std::chrono_literals;

TEST(Request, ParsesAFullOpen) {
    auto p = parse_request(
        R"({"op":"open","port":22,"protocol":"tcp","source":"203.0.113.7","duration":"1h","reason":"fix"})");
    ASSERT_TRUE(p) << p.error;
    EXPECT_EQ(p.request.op, Op::open);
    EXPECT_EQ(p.request.port, 22);
    EXPECT_EQ(p.request.protocol, config::Protocol::tcp);
    EXPECT_EQ(p.request.source, "203.0.113.7");
    EXPECT_EQ(p.request.duration, 1h);
    EXPECT_EQ(p.request.reason, "fix");
}

TEST(Request, OpenWithoutProtocolOrReason) {
    auto p = parse_request(R"({"op":"open","port":3389,"source":"10.0.0.0/8","duration":"90s"})");
    ASSERT_TRUE(p) << p.error;
    EXPECT_FALSE(p.request.protocol.has_value());
    EXPECT_EQ(p.request.duration, 90s);
    EXPECT_EQ(p.request.reason, "");
}

// B5: the daemon fills in the port's max_duration, so `jit-request open` without --for is one
// request (before, the wire required a duration and the client asked `status` first).
TEST(Request, OpenWithoutDurationGetsThePortsMaxDuration) {
    auto p = parse_request(R"({"op":"open","port":22,"source":"203.0.113.7"})");
    ASSERT_TRUE(p) << p.error;
    EXPECT_FALSE(p.request.duration.has_value());

    const auto policy = config::parse_policy(
        "ports:\n  - port: 22\n    protocol: tcp\n    max_duration: 1h30m\n", "t.yaml");
    const wire::SysSeconds now{std::chrono::seconds{1800000000}};
    const Request& r = p.request;
    OpenRequest req{*r.port, r.protocol, *r.source, r.duration, r.reason};
    auto verdict = check_open(policy, GrantBook{}, Actor{"alice", 1001, false}, req, now);
    ASSERT_TRUE(std::holds_alternative<OpenPlan>(verdict)) << std::get<Refusal>(verdict).message;
    const wire::Grant& g = std::get<OpenPlan>(verdict).grant.grant;
    EXPECT_EQ(g.start, now);
    EXPECT_EQ(g.end - g.start, 1h + 30min);
}

// A Request a channel built itself (Engine::submit) is checked by the op table as a parsed
// one would have been: what a line would lack is a bad_request, not a crash.
TEST(Request, IncompleteRequestsFromOtherChannels) {
    Request open;
    open.op = Op::open;
    EXPECT_EQ(op_spec(Op::open).incomplete(open), "port is missing");
    open.port = 22;
    EXPECT_EQ(op_spec(Op::open).incomplete(open), "source is missing");
    open.source = "203.0.113.7";
    EXPECT_EQ(op_spec(Op::open).incomplete(open), "");
    open.duration = 0s;
    EXPECT_EQ(op_spec(Op::open).incomplete(open), "duration must be at least 1s");
    open.duration = 1h;
    open.reason = "a\nb";
    EXPECT_NE(op_spec(Op::open).incomplete(open).find("control characters"), std::string::npos);

    Request extend;
    extend.op = Op::extend;
    EXPECT_EQ(op_spec(Op::extend).incomplete(extend), "id is missing");
    extend.id = "g-5f2c9a01b2c3";
    EXPECT_EQ(op_spec(Op::extend).incomplete(extend), "duration is missing");
    extend.duration = 1h;
    EXPECT_EQ(op_spec(Op::extend).incomplete(extend), "");
    Request revoke;
    revoke.op = Op::revoke;
    EXPECT_EQ(op_spec(Op::revoke).incomplete(revoke), "id is missing");
    revoke.id = "g-5f2c9a01b2c3";
    EXPECT_EQ(op_spec(Op::revoke).incomplete(revoke), "");
    for (Op op : {Op::list, Op::status, Op::reload}) {
        Request r;
        r.op = op;
        EXPECT_EQ(op_spec(op).incomplete(r), "");
    }
}

TEST(Request, SimpleOps) {
    for (auto [line, op] :
         {std::pair{R"({"op":"list"})", Op::list}, std::pair{R"({"op":"status"})", Op::status},
          std::pair{R"({"op":"reload"})", Op::reload},
          std::pair{R"( {"op":"status"} )", Op::status}}) {
        auto p = parse_request(line);
        ASSERT_TRUE(p) << line << ": " << p.error;
        EXPECT_EQ(p.request.op, op);
    }
    auto r = parse_request(R"({"op":"revoke","id":"g-5f2c9a01b2c3"})");
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.request.id, "g-5f2c9a01b2c3");
    auto e = parse_request(R"({"op":"extend","id":"g-5f2c9a01b2c3","duration":"30m"})");
    ASSERT_TRUE(e) << e.error;
    EXPECT_EQ(e.request.duration, 30min);
}

struct Bad {
    const char* line;
    const char* says;  // a piece of the message
};

class BadRequest : public testing::TestWithParam<Bad> {};

TEST_P(BadRequest, IsRefusedWithAClearMessage) {
    auto p = parse_request(GetParam().line);
    ASSERT_FALSE(p) << GetParam().line;
    EXPECT_NE(p.error.find(GetParam().says), std::string::npos)
        << GetParam().line << " -> " << p.error;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, BadRequest,
    testing::Values(
        Bad{"", "not valid JSON"}, Bad{"{", "not valid JSON"}, Bad{"nonsense", "not valid JSON"},
        Bad{R"([{"op":"list"}])", "JSON object"}, Bad{R"("list")", "JSON object"},
        Bad{"42", "JSON object"}, Bad{"{}", "op is missing"},
        Bad{R"({"op":7})", "op must be a string"}, Bad{R"({"op":"delete"})", "unknown op"},
        Bad{R"({"op":"LIST"})", "unknown op"},
        Bad{R"({"op":"list","verbose":true})", "unknown field \"verbose\""},
        Bad{R"({"op":"status","user":"root"})", "unknown field \"user\""},
        Bad{R"({"op":"reload","policy":"/tmp/x"})", "unknown field"},
        Bad{R"({"op":"revoke"})", "id is missing"},
        Bad{R"({"op":"revoke","id":5})", "id must be a string"},
        Bad{R"({"op":"revoke","id":"g-1","duration":"1h"})", "unknown field \"duration\""},
        Bad{R"({"op":"extend","id":"g-1"})", "duration is missing"},
        Bad{R"({"op":"extend","id":"g-1","duration":"0s"})", "duration"},
        Bad{R"({"op":"extend","id":"g-1","duration":30})", "duration must be a string"},
        Bad{R"({"op":"open","source":"1.2.3.4","duration":"1h"})", "port is missing"},
        Bad{R"({"op":"open","port":"22","source":"1.2.3.4","duration":"1h"})",
            "port must be an integer"},
        Bad{R"({"op":"open","port":22.5,"source":"1.2.3.4","duration":"1h"})",
            "port must be an integer"},
        Bad{R"({"op":"open","port":0,"source":"1.2.3.4","duration":"1h"})", "between 1 and 65535"},
        Bad{R"({"op":"open","port":65536,"source":"1.2.3.4","duration":"1h"})",
            "between 1 and 65535"},
        Bad{R"({"op":"open","port":-22,"source":"1.2.3.4","duration":"1h"})",
            "between 1 and 65535"},
        Bad{R"({"op":"open","port":22,"protocol":"sctp","source":"1.2.3.4","duration":"1h"})",
            "protocol must be"},
        Bad{R"({"op":"open","port":22,"protocol":6,"source":"1.2.3.4","duration":"1h"})",
            "protocol must be a string"},
        Bad{R"({"op":"open","port":22,"duration":"1h"})", "source is missing"},
        Bad{R"({"op":"open","port":22,"source":["1.2.3.4"],"duration":"1h"})",
            "source must be a string"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":null})",
            "duration must be a string"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"soon"})", "duration"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"-5m"})", "duration"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"0s"})", "duration"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"1h","reason":5})",
            "reason must be a string"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"1h","reason":"a\nb"})",
            "control characters"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"1h","reason":"a\u0000b"})",
            "control characters"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"1h","reason":"a\u0085b"})",
            "control characters"},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"1h","user":"root"})",
            "unknown field \"user\""},
        Bad{R"({"op":"open","port":22,"source":"1.2.3.4","duration":"1h","id":"g-1"})",
            "unknown field \"id\""}));

TEST(Request, ReasonLengthCountsCharactersNotBytes) {
    std::string ok(256, 'x');
    EXPECT_EQ(check_reason(ok), "");
    EXPECT_NE(check_reason(ok + "x").find("longer than 256"), std::string::npos);
    std::string umlauts;
    for (int i = 0; i < 256; ++i) umlauts += "\xc3\xa4";  // 256 × 'ä' = 512 bytes
    EXPECT_EQ(check_reason(umlauts), "");
    EXPECT_NE(check_reason(umlauts + "\xc3\xa4"), "");
    EXPECT_NE(check_reason("tab\there"), "");
    EXPECT_NE(check_reason("del\x7f"), "");
}

TEST(Request, ReasonTooLongOnTheWire) {
    std::string line = R"({"op":"open","port":22,"source":"1.2.3.4","duration":"1h","reason":")" +
                       std::string(257, 'r') + "\"}";
    auto p = parse_request(line);
    ASSERT_FALSE(p);
    EXPECT_NE(p.error.find("longer than 256"), std::string::npos) << p.error;
}

TEST(Request, RefusalKeepsWhatWasParsed) {
    auto p = parse_request(R"({"op":"open","port":22,"source":"1.2.3.4","duration":"forever"})");
    ASSERT_FALSE(p);
    EXPECT_TRUE(p.op_known);
    EXPECT_EQ(p.request.port, 22);
    EXPECT_EQ(p.request.source, "1.2.3.4");
    auto q = parse_request(R"({"op":"fly"})");
    EXPECT_FALSE(q.op_known);
}

TEST(Request, InvalidUtf8IsNotJson) {
    auto p = parse_request(
        "{\"op\":\"open\",\"port\":22,\"source\":\"1.2.3.4\",\"duration\":\"1h\","
        "\"reason\":\"\xff\xfe\"}");
    EXPECT_FALSE(p);
}

}  // namespace
}  // namespace jitd::agent
