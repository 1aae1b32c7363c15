// The clients waiting for a decision, on a real sd-event loop and real socket pairs: the decision
// is written and the socket closed, a client that goes away is dropped, the limit refuses.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "agent/daemon/decision_waiters.hpp"

namespace jitd::agent {
namespace {

struct Pair {
    Fd daemon_end, client_end;
    Pair() {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            throw std::runtime_error("socketpair");
        daemon_end = Fd(sv[0]);
        client_end = Fd(sv[1]);
    }
};

// All the client end receives until the daemon end is closed (bounded by a poll time-out).
std::string read_to_close(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 10000) != 1) return out + "<no close>";
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

class Waiters : public ::testing::Test {
  protected:
    Waiters() {
        sd_event* e = nullptr;
        if (sd_event_new(&e) < 0) throw std::runtime_error("sd_event_new");
        event_.reset(e);
    }
    sd_event* event() { return event_.get(); }
    Peer peer_{1001, 1001, 0, "alice", {}};

  private:
    EventPtr event_;
};

TEST_F(Waiters, TheDecisionIsWrittenAndTheConnectionClosed) {
    DecisionWaiters w(event());
    Pair a, b;
    w.add("r-000000000001", std::move(a.daemon_end), peer_);
    w.add("r-000000000002", std::move(b.daemon_end), peer_);
    EXPECT_EQ(w.size(), 2u);
    w.decided("r-000000000001", {{"ok", true}, {"request", "r-000000000001"}});
    EXPECT_EQ(w.size(), 1u) << "only the waiter of that request";
    EXPECT_EQ(read_to_close(a.client_end.get()), R"({"ok":true,"request":"r-000000000001"})"
                                                 "\n");
    w.decided("r-0000000000ff", {{"ok", true}});  // nobody waits: nothing happens
    EXPECT_EQ(w.size(), 1u);
}

TEST_F(Waiters, AClientThatGoesAwayIsDropped) {
    DecisionWaiters w(event());
    Pair a;
    w.add("r-000000000001", std::move(a.daemon_end), peer_);
    a.client_end = Fd();  // the client closes its end
    for (int i = 0; i < 100 && w.size() > 0; ++i) ASSERT_GE(sd_event_run(event(), 10000000), 0);
    EXPECT_EQ(w.size(), 0u);
    w.decided("r-000000000001", {{"ok", true}});  // the decision finds nobody: fine
}

TEST_F(Waiters, BeyondTheLimitAClientIsRefusedAtOnce) {
    DecisionWaiters w(event(), 1);
    Pair a, b;
    w.add("r-000000000001", std::move(a.daemon_end), peer_);
    w.add("r-000000000002", std::move(b.daemon_end), peer_);
    EXPECT_EQ(w.size(), 1u);
    const std::string refusal = read_to_close(b.client_end.get());
    EXPECT_NE(refusal.find("too_many_connections"), std::string::npos) << refusal;
    EXPECT_NE(refusal.find("stays pending"), std::string::npos) << refusal;
}

}  // namespace
}  // namespace jitd::agent
