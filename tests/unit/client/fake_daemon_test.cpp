// jit-request against a scripted stand-in for jitd on a Unix socket: refusals become one
// sentence and the right exit code, bad or missing answers become 69, and `open` without
// --for is one request that leaves the duration to the daemon. (The real daemon:
// tests/integration/client.)
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent/client/cli.hpp"
#include "tests/unit/client/cli_runner.hpp"

namespace jitd::client {
namespace {

using nlohmann::json;

// Serves one connection: for each scripted answer, reads a request line, records it and writes
// the answer verbatim ("" = say nothing and wait for the client to go away; kClose = close the
// connection without an answer).
constexpr const char* kClose = "<close>";

class FakeDaemon {
  public:
    explicit FakeDaemon(std::vector<std::string> answers) : answers_(std::move(answers)) {
        char tmpl[] = "/tmp/jitd-client-fake-XXXXXX";
        dir_ = mkdtemp(tmpl);
        path_ = dir_ + "/jitd.sock";
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 4) != 0)
            throw std::runtime_error("fake daemon cannot listen");
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeDaemon() {
        ::shutdown(fd_, SHUT_RDWR);
        thread_.join();
        ::close(fd_);
        ::unlink(path_.c_str());
        ::rmdir(dir_.c_str());
    }
    const std::string& path() const { return path_; }
    // Requests received, parsed; valid once the client has exited.
    std::vector<json> requests() {
        thread_.join();
        thread_ = std::thread([] {});
        return requests_;
    }

  private:
    void serve() {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return;
        std::string buf;
        for (const auto& answer : answers_) {
            std::size_t nl;
            char chunk[4096];
            while ((nl = buf.find('\n')) == std::string::npos) {
                const ssize_t n = ::read(c, chunk, sizeof chunk);
                if (n <= 0) {
                    ::close(c);
                    return;
                }
                buf.append(chunk, static_cast<std::size_t>(n));
            }
            requests_.push_back(json::parse(buf.substr(0, nl)));
            buf.erase(0, nl + 1);
            if (answer == kClose) break;
            if (answer.empty()) {
                while (::read(c, chunk, sizeof chunk) > 0) {
                }
                break;
            }
            if (::write(c, answer.data(), answer.size()) < 0) break;
        }
        ::close(c);
    }

    std::vector<std::string> answers_;
    std::string dir_, path_;
    int fd_ = -1;
    std::thread thread_;
    std::vector<json> requests_;
};

using testing::cli;

const char* kGrant =
    R"({"id":"g-5f2c9a01b2c3","user":"alice","uid":1001,"port":22,"protocol":"tcp",)"
    R"("source":"198.51.100.2/32","start":"2026-11-23T14:03:00Z","end":"2099-11-23T15:03:00Z",)"
    R"("reason":"fix"})";

TEST(FakeDaemon, RefusalIsOneSentenceWithItsCodeAndExitsOne) {
    FakeDaemon d(
        {R"({"ok":false,"error":{"code":"duration_exceeds_max","message":"4h exceeds port 22's maximum of 3h"}})"
         "\n"});
    auto r = cli({"open", "22", "--for", "4h", "--from", "198.51.100.2", "--socket", d.path()});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "jit-request: refused (duration_exceeds_max): 4h exceeds port 22's maximum of 3h\n");
    const auto reqs = d.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0], json::parse(R"({"op":"open","port":22,"source":"198.51.100.2",
                                       "duration":"4h"})"));
}

TEST(FakeDaemon, NotAuthorizedExits77) {
    FakeDaemon d(
        {R"({"ok":false,"error":{"code":"not_authorized","message":"you may not list grants"}})"
         "\n"});
    auto r = cli({"list", "--socket", d.path()});
    EXPECT_EQ(r.code, 77);
    EXPECT_NE(r.err.find("refused (not_authorized)"), std::string::npos) << r.err;
}

// B5: without --for the daemon fills in the port's max_duration, so the client sends exactly
// one request and no `status` lookup before it.
TEST(FakeDaemon, OpenWithoutForIsOneRequestWithoutDuration) {
    FakeDaemon d({std::string(R"({"ok":true,"grant":)") + kGrant + "}\n"});
    auto r = cli({"open", "22", "--reason", "fix", "--socket", d.path()},
                 {{"SSH_CONNECTION", "198.51.100.2 40000 198.51.100.1 22"}});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("granted g-5f2c9a01b2c3: 22/tcp from 198.51.100.2"), std::string::npos)
        << r.out;
    const auto reqs = d.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0], json::parse(R"({"op":"open","port":22,"source":"198.51.100.2",
                                       "reason":"fix"})"));
}

// --until is sent as the duration left until then (the protocol carries no end).
TEST(FakeDaemon, OpenUntilSendsTheDurationLeft) {
    FakeDaemon d({std::string(R"({"ok":true,"grant":)") + kGrant + "}\n"});
    auto r = cli({"open", "22", "--until", "+90m", "--from", "198.51.100.2", "--socket", d.path()});
    EXPECT_EQ(r.code, 0) << r.err;
    const auto reqs = d.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0], json::parse(R"({"op":"open","port":22,"source":"198.51.100.2",
                                       "duration":"1h30m"})"));
}

TEST(FakeDaemon, ListJsonPrintsTheGrantsBack) {
    FakeDaemon d({std::string(R"({"ok":true,"grants":[)") + kGrant + "]}\n"});
    auto r = cli({"list", "--json", "--socket", d.path()});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto j = json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0], json::parse(kGrant));
}

TEST(FakeDaemon, RevokeKillAsksForItAndPrintsWhatEnded) {
    FakeDaemon d({std::string(R"({"ok":true,"grant":)") + kGrant +
                  R"(,"killed":{"sockets":1,"conntrack":2,"problem":"part failed"}})" + "\n"});
    auto r = cli({"revoke", "g-5f2c9a01b2c3", "--kill", "--socket", d.path()});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("ended 1 sockets and 2 conntrack entries"), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("warning: part failed"), std::string::npos) << r.err;
    const auto reqs = d.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0], json::parse(R"({"op":"revoke","id":"g-5f2c9a01b2c3","kill":true})"));

    FakeDaemon plain_d({std::string(R"({"ok":true,"grant":)") + kGrant + "}\n"});
    auto plain = cli({"revoke", "g-5f2c9a01b2c3", "--socket", plain_d.path()});
    EXPECT_EQ(plain.code, 0) << plain.err;
    EXPECT_EQ(plain.out.find("ended"), std::string::npos) << plain.out;
    const auto plain_reqs = plain_d.requests();
    ASSERT_EQ(plain_reqs.size(), 1u);
    EXPECT_EQ(plain_reqs[0], json::parse(R"({"op":"revoke","id":"g-5f2c9a01b2c3"})"))
        << "without --kill the policy decides";
}

TEST(FakeDaemon, BadAnswersAreDaemonUnavailable) {
    for (const char* answer : {"not json\n", "[1,2]\n",
                               R"({"grants":[]})"
                               "\n",
                               R"({"ok":false})"
                               "\n",
                               R"({"ok":true,"grants":[{"id":1}]})"
                               "\n"}) {
        FakeDaemon d({answer});
        auto r = cli({"list", "--socket", d.path()});
        EXPECT_EQ(r.code, 69) << answer;
        EXPECT_NE(r.err.find(d.path()), std::string::npos) << r.err;
    }
}

TEST(FakeDaemon, SilenceTimesOutWith69) {
    FakeDaemon d({""});
    auto r = cli({"status", "--timeout", "0.2", "--socket", d.path()});
    EXPECT_EQ(r.code, 69);
    EXPECT_NE(r.err.find("no answer within 200 ms"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(d.path()), std::string::npos) << r.err;
}

TEST(FakeDaemon, ClosedConnectionIs69) {
    FakeDaemon d({kClose});
    auto r = cli({"status", "--socket", d.path()});
    EXPECT_EQ(r.code, 69);
    EXPECT_NE(r.err.find("closed the connection"), std::string::npos) << r.err;
}

const char* kPending =
    R"({"id":"r-3b1f0c9d2e4a","user":"alice","uid":1001,"port":22,"protocol":"tcp",)"
    R"("source":"198.51.100.2/32","duration":"1h","reason":"fix",)"
    R"("requested":"2026-11-23T14:03:00Z","lapses":"2099-11-23T14:18:00Z","required":2,)"
    R"("approvals":["bob"],"may_decide":true})";

// The two-person rule: an open that waits says so and exits 0; pending, approve, reject and
// cancel send what PROTOCOL.md says and print one line.
TEST(FakeDaemon, AnOpenThatAwaitsApprovalSaysSoAndExitsZero) {
    FakeDaemon d({std::string(R"({"ok":true,"pending":)") + kPending + "}\n"});
    auto r = cli({"open", "22", "--from", "198.51.100.2", "--socket", d.path()});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("request r-3b1f0c9d2e4a awaits approval: 22/tcp from 198.51.100.2/32 "
                         "for 1h; approvals 1 of 2 (bob)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("nothing is open until it is approved"), std::string::npos) << r.out;
}

TEST(FakeDaemon, PendingApproveRejectCancel) {
    {
        FakeDaemon d({std::string(R"({"ok":true,"pending":[)") + kPending + "]}\n"});
        auto r = cli({"pending", "--socket", d.path()});
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_NE(r.out.find("r-3b1f0c9d2e4a  alice  22/tcp"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("1 of 2 (bob) *"), std::string::npos) << r.out;
        EXPECT_EQ(d.requests().at(0), json::parse(R"({"op":"pending"})"));
    }
    {
        FakeDaemon d({std::string(R"({"ok":true,"grant":)") + kGrant +
                      R"(,"request":"r-3b1f0c9d2e4a"})" + "\n"});
        auto r = cli({"approve", "r-3b1f0c9d2e4a", "--reason", "ok", "--socket", d.path()});
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.out, "approved r-3b1f0c9d2e4a: granted g-5f2c9a01b2c3 to alice\n");
        EXPECT_EQ(d.requests().at(0),
                  json::parse(R"({"op":"approve","id":"r-3b1f0c9d2e4a","reason":"ok"})"));
    }
    {
        FakeDaemon d(
            {R"({"ok":false,"error":{"code":"not_authorized","message":"request r-3b1f0c9d2e4a is your own"}})"
             "\n"});
        auto r = cli({"approve", "r-3b1f0c9d2e4a", "--socket", d.path()});
        EXPECT_EQ(r.code, 77);
        EXPECT_NE(r.err.find("refused (not_authorized)"), std::string::npos) << r.err;
    }
    {
        FakeDaemon d({std::string(R"({"ok":true,"rejected":)") + kPending + "}\n"});
        auto r = cli({"reject", "r-3b1f0c9d2e4a", "--socket", d.path()});
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.out, "rejected r-3b1f0c9d2e4a\n");
        EXPECT_EQ(d.requests().at(0), json::parse(R"({"op":"reject","id":"r-3b1f0c9d2e4a"})"));
    }
    {
        FakeDaemon d({std::string(R"({"ok":true,"cancelled":)") + kPending + "}\n"});
        auto r = cli({"cancel", "r-3b1f0c9d2e4a", "--socket", d.path()});
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_EQ(r.out, "cancelled r-3b1f0c9d2e4a\n");
        EXPECT_EQ(d.requests().at(0), json::parse(R"({"op":"cancel","id":"r-3b1f0c9d2e4a"})"));
    }
}

}  // namespace
}  // namespace jitd::client
