#include "tests/integration/daemon/daemon_test.hpp"

#include <iostream>

#include "agent/wire/timefmt.hpp"

namespace jitd::test {

std::string make_policy(const PolicyOptions& o) {
    std::string s =
        "ports:\n"
        "  - port: 22\n"
        "    protocol: " +
        o.port22_protocol +
        "\n"
        "    max_duration: 1h\n"
        "    allowed_sources: " +
        o.port22_sources +
        "\n"
        "  - port: 3389\n"
        "    protocol: any\n"
        "    max_duration: 10s\n"
        "    allowed_sources: [198.51.100.0/24, 2001:db8:99::/64]\n";
    if (o.with_5985)
        s += "  - port: 5985\n"
             "    protocol: tcp\n"
             "    max_duration: 30s\n"
             "    allowed_sources: [203.0.113.0/24]\n";
    s += o.access;
    s += "always_allow: " + o.always_allow + "\n";
    s += "require_reason: " + std::string(o.require_reason ? "true" : "false") + "\n";
    s += "limits:\n  max_grants_per_user: " + std::to_string(o.max_grants_per_user) +
         "\n  widest_source: {ipv4: 24, ipv6: 64}\n";
    return s;
}

json open_request(int port, const std::string& source, const std::string& duration,
                  std::optional<std::string> protocol) {
    json j{{"op", "open"}, {"port", port}, {"source", source}, {"duration", duration}};
    if (protocol) j["protocol"] = *protocol;
    return j;
}

::testing::AssertionResult is_ok(const json& r) {
    if (r.is_object() && r.value("ok", false) == true) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "expected ok, got " << r.dump();
}

::testing::AssertionResult is_error(const json& r, const std::string& code) {
    if (!r.is_object() || !r.contains("ok") || r["ok"] != false || !r.contains("error") ||
        !r["error"].is_object())
        return ::testing::AssertionFailure() << "expected error " << code << ", got " << r.dump();
    const json& e = r["error"];
    if (e.value("code", "") != code)
        return ::testing::AssertionFailure() << "expected error " << code << ", got " << r.dump();
    if (!e.contains("message") || !e["message"].is_string() ||
        e["message"].get<std::string>().empty())
        return ::testing::AssertionFailure() << "error without a message: " << r.dump();
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult is_grant(const json& g) {
    auto fail = [&](const std::string& why) {
        return ::testing::AssertionFailure() << why << " in grant " << g.dump();
    };
    if (!g.is_object()) return fail("not an object");
    for (const char* f : {"id", "user", "protocol", "source", "start", "end", "reason"})
        if (!g.contains(f) || !g[f].is_string()) return fail(std::string(f) + " is not a string");
    for (const char* f : {"uid", "port"})
        if (!g.contains(f) || !g[f].is_number_unsigned())
            return fail(std::string(f) + " is not a number");
    auto id = g["id"].get<std::string>();
    if (id.size() != 14 || id.rfind("g-", 0) != 0 ||
        id.find_first_not_of("0123456789abcdef", 2) != std::string::npos)
        return fail("id is not g-<12 hex>");
    if (g["source"].get<std::string>().find('/') == std::string::npos)
        return fail("source without prefix length");
    if (!wire::parse_iso8601(g["start"].get<std::string>()) ||
        !wire::parse_iso8601(g["end"].get<std::string>()))
        return fail("start/end not ISO 8601 UTC");
    return ::testing::AssertionSuccess();
}

std::chrono::sys_seconds grant_time(const json& g, const char* field) {
    auto t = wire::parse_iso8601(g.at(field).get<std::string>());
    if (!t) throw std::runtime_error(std::string("bad time in ") + g.dump());
    return *t;
}

std::vector<std::string> listed_ids(const json& r) {
    std::vector<std::string> ids;
    if (r.contains("grants") && r["grants"].is_array())
        for (const auto& g : r["grants"]) ids.push_back(g.value("id", ""));
    return ids;
}

std::optional<json> find_grant(const json& r, const std::string& id) {
    if (r.contains("grants") && r["grants"].is_array())
        for (const auto& g : r["grants"])
            if (g.value("id", "") == id) return g;
    return std::nullopt;
}

void DaemonTest::SetUpTestSuite() {
    if (!is_root()) return;
    TestUsers::sweep_stale();
    users_ = std::make_unique<TestUsers>();
}

void DaemonTest::TearDownTestSuite() {
    users_.reset();
}

void DaemonTest::SetUp() {
    if (!is_root()) GTEST_SKIP() << "needs root";
}

void DaemonTest::TearDown() {
    if (HasFailure()) std::cerr << journal_.dump();
    daemon_.reset();
}

std::string DaemonTest::default_policy() const {
    return make_policy({.access = users_->access_yaml()});
}

DaemonFixture& DaemonTest::start(std::optional<std::string> policy, DaemonOptions opts) {
    daemon_ = std::make_unique<DaemonFixture>(policy ? *policy : default_policy(), std::move(opts));
    return *daemon_;
}

bool DaemonTest::tcp_open(const std::string& src, std::uint16_t port) {
    const char* dst = src.find(':') == std::string::npos ? TestAddrs::server4 : TestAddrs::server6;
    return tcp_connects(daemon_->net().client(), src, dst, port);
}

bool DaemonTest::udp_open(const std::string& src, std::uint16_t port) {
    const char* dst = src.find(':') == std::string::npos ? TestAddrs::server4 : TestAddrs::server6;
    return udp_answers(daemon_->net().client(), src, dst, port);
}

bool DaemonTest::wait_tcp_closed(const std::string& src, std::uint16_t port,
                                 std::chrono::milliseconds limit) {
    return poll_until([&] { return !tcp_open(src, port); }, limit);
}

}  // namespace jitd::test
