// Shared ground for the daemon's black-box integration tests: a gtest fixture that owns the
// suite's test users and one running jitd per test, the policy the tests start from, request
// builders and assertions on the protocol's response shapes (agent/PROTOCOL.md).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/daemon_fixture.hpp"
#include "tests/support/journal.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {

using json = nlohmann::json;

// A `list` answer's grants by id.
inline std::map<std::string, json> by_id(const json& list) {
    std::map<std::string, json> m;
    for (const auto& g : list.at("grants")) m[g.at("id")] = g;
    return m;
}

// Port 22/tcp: any source up to /24 (v4) or /64 (v6), 1h. Port 3389/any: only the test
// networks, 10s. Port 5985/tcp: only 203.0.113.0/24 (never the test addresses), 30s.
struct PolicyOptions {
    std::string access;  // an `access:` section, or "" for none
    bool require_reason = false;
    unsigned max_grants_per_user = 3;
    std::string port22_sources = "any";
    std::string port22_protocol = "tcp";
    std::string always_allow = "[]";
    bool with_5985 = true;  // false: port 5985 is not protected
};
std::string make_policy(const PolicyOptions& o);

json open_request(int port, const std::string& source, const std::string& duration,
                  std::optional<std::string> protocol = std::nullopt);

// {"ok":true,...}
::testing::AssertionResult is_ok(const json& r);
// {"ok":false,"error":{"code":code,"message":"<non-empty>"}} and nothing else.
::testing::AssertionResult is_error(const json& r, const std::string& code);

// The grant object of PROTOCOL.md, every field present with its type.
::testing::AssertionResult is_grant(const json& g);
std::chrono::sys_seconds grant_time(const json& g, const char* field);  // "start" / "end"

// The ids in a list response.
std::vector<std::string> listed_ids(const json& list_response);
std::optional<json> find_grant(const json& list_response, const std::string& id);

class DaemonTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    void SetUp() override;
    void TearDown() override;

    TestUsers& users() { return *users_; }
    // Starts jitd with `policy` (the default: make_policy with the users' access section).
    DaemonFixture& start(std::optional<std::string> policy = std::nullopt, DaemonOptions opts = {});
    DaemonFixture& daemon() { return *daemon_; }
    std::string default_policy() const;

    // Real packets from the client namespace to the server namespace.
    bool tcp_open(const std::string& src, std::uint16_t port);
    bool udp_open(const std::string& src, std::uint16_t port);
    // Polls until the door from `src` is closed (true) or `limit` passes (false).
    bool wait_tcp_closed(const std::string& src, std::uint16_t port,
                         std::chrono::milliseconds limit = std::chrono::seconds(8));

    Journal journal_;  // entries written after the test began

  private:
    static inline std::unique_ptr<TestUsers> users_;
    std::unique_ptr<DaemonFixture> daemon_;
};

}  // namespace jitd::test
