// Issue 11, finding 9: no set of local users can take every connection (a global cap keeps a
// reserve for root and admins), and a user database that stalls for one peer stalls nobody
// else (the lookup runs off the event loop).
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ConnectionLimits : public DaemonTest {};

bool exists(const std::string& path) {
    return ::access(path.c_str(), F_OK) == 0;
}

// The answer a connection gets to one status request (nullopt: none in time).
std::optional<json> status_answer(SocketClient& c) {
    if (!c.send_raw(R"({"op":"status"})"
                    "\n"))
        return std::nullopt;
    auto line = c.read_line();
    if (!line) return std::nullopt;
    return json::parse(*line, nullptr, false);
}

// The only line a refused connection gets.
::testing::AssertionResult refused_for_connections(SocketClient& c) {
    auto line = c.read_line();
    if (!line) return ::testing::AssertionFailure() << "no answer";
    auto j = json::parse(*line, nullptr, false);
    return is_error(j, "too_many_connections");
}

TEST_F(ConnectionLimits, TheLastConnectionsAreKeptForRootAndAdmins) {
    DaemonOptions o;
    o.extra_args = {"--max-connections", "16"};  // an eighth, 2, kept for root and admins
    o.idle_timeout_s = 120;                      // the held connections stay open
    auto& d = start(std::nullopt, o);
    std::vector<SocketClient> held;
    // 14 connections of two users without the admin role (at most 8 per uid).
    for (const TestUser* u : {&users().viewer, &users().stranger})
        for (int i = 0; i < 7; ++i) {
            held.push_back(d.connect_as(u->id));
            auto a = status_answer(held.back());
            ASSERT_TRUE(a) << "connection " << held.size() << " was not served";
        }
    // The reserve: an admin is still answered, a further non-admin is refused.
    held.push_back(d.connect_as(users().admin.id));
    auto admin = status_answer(held.back());
    ASSERT_TRUE(admin);
    EXPECT_TRUE(is_ok(*admin));
    EXPECT_EQ(admin->value("role", ""), "admin");
    auto more = d.connect_as(users().requester.id);
    EXPECT_TRUE(refused_for_connections(more));
    EXPECT_TRUE(journal_.wait_for({{"JITD_EVENT", "deny"},
                                   {"JITD_ERROR", "too_many_connections"},
                                   {"JITD_UID", std::to_string(users().requester.id.uid)}}))
        << journal_.dump();
    // Root takes the last one; past the cap even root is refused.
    held.push_back(d.connect());
    auto root = status_answer(held.back());
    ASSERT_TRUE(root);
    EXPECT_TRUE(is_ok(*root));
    auto past = d.connect();
    EXPECT_TRUE(refused_for_connections(past));
    // A closed connection frees its place.
    held.front().close();
    EXPECT_TRUE(poll_until([&] {
        auto again = d.connect_as(users().requester.id);
        auto a = status_answer(again);
        return a && is_ok(*a);
    }));
}

TEST_F(ConnectionLimits, AStalledUserLookupStallsNobodyElse) {
    const std::string stall = "/tmp/jitdt-stall-" + std::to_string(::getpid());
    struct Remove {
        std::string path;
        ~Remove() {
            ::unlink(path.c_str());
            ::unlink((path + ".entered").c_str());
        }
    } remove{stall};
    { std::ofstream(stall) << "stall\n"; }
    ::unlink((stall + ".entered").c_str());
    DaemonOptions o;
    const char* asan = std::getenv("ASAN_OPTIONS");
    o.env = {
        std::string("LD_PRELOAD=") + JITD_NSS_STALL_SHIM,
        "JITD_TEST_STALL_UID=" + std::to_string(users().requester.id.uid),
        "JITD_TEST_STALL_FILE=" + stall,
        // The shim comes before the sanitizer runtime in a sanitizer build.
        std::string("ASAN_OPTIONS=") + (asan != nullptr ? asan : "") + ":verify_asan_link_order=0"};
    auto& d = start(std::nullopt, o);

    auto blocked = d.connect_as(users().requester.id);
    ASSERT_TRUE(blocked.send_raw(R"({"op":"status"})"
                                 "\n"));
    ASSERT_TRUE(poll_until([&] { return exists(stall + ".entered"); }, milliseconds(10000)))
        << "jitd never looked the requester up";
    // The requester's lookup hangs; everyone else is served meanwhile.
    auto viewer = d.request({{"op", "status"}}, users().viewer.id);
    EXPECT_TRUE(is_ok(viewer));
    EXPECT_EQ(viewer.value("role", ""), "viewer");
    auto root = d.request({{"op", "list"}});
    EXPECT_TRUE(is_ok(root));
    EXPECT_FALSE(blocked.read_line(milliseconds(0))) << "answered before its lookup ended";

    ::unlink(stall.c_str());  // the user database answers again
    auto line = blocked.read_line();
    ASSERT_TRUE(line) << "the stalled request was never answered";
    auto answer = json::parse(*line, nullptr, false);
    EXPECT_TRUE(is_ok(answer));
    EXPECT_EQ(answer.value("role", ""), "requester") << answer.dump();
}

}  // namespace
}  // namespace jitd::test
