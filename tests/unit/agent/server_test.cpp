// The socket server on a real sd-event loop (in a thread) and a real Unix socket: framing, the
// line cap, pipelining, the per-uid cap, the idle timeout, a client that does not read.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "agent/daemon/listen_socket.hpp"
#include "agent/daemon/server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/socket_client.hpp"

namespace jitd::agent {
namespace {

using namespace std::chrono_literals;
using test::SocketClient;

// A Server answering "<user>:<line>" for every line, run by its own loop thread.
class Harness {
  public:
    explicit Harness(ServerLimits limits) {
        char tmpl[] = "/tmp/jitd-server-test-XXXXXX";
        dir_ = mkdtemp(tmpl);
        std::filesystem::permissions(dir_, static_cast<std::filesystem::perms>(0755));
        path_ = dir_ + "/sub/jitd.sock";  // the parent is created by bind_socket
        sd_event* e = nullptr;
        if (sd_event_new(&e) < 0) throw std::runtime_error("sd_event_new");
        event_.reset(e);
        stop_fd_ = Fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        sd_event_source* s = nullptr;
        sd_event_add_io(
            e, &s, stop_fd_.get(), EPOLLIN,
            [](sd_event_source* src, int, uint32_t, void*) {
                return sd_event_exit(sd_event_source_get_event(src), 0);
            },
            nullptr);
        stop_source_.reset(s);
        server_ = std::make_unique<Server>(e, bind_socket(path_), limits,
                                           [this](const Peer& peer, std::string_view line) {
                                               ++handled_;
                                               return peer.user + ":" + std::string(line);
                                           });
        thread_ = std::thread([this] { sd_event_loop(event_.get()); });
    }
    ~Harness() {
        std::uint64_t one = 1;
        (void)!::write(stop_fd_.get(), &one, sizeof one);
        thread_.join();
        server_.reset();
        std::filesystem::remove_all(dir_);
    }
    const std::string& path() const { return path_; }
    int handled() const { return handled_; }

  private:
    std::string dir_, path_;
    EventPtr event_;
    Fd stop_fd_;
    SourcePtr stop_source_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
    std::atomic<int> handled_{0};
};

ServerLimits limits(unsigned per_uid = 4, std::chrono::seconds idle = 30s) {
    ServerLimits l;
    l.max_connections_per_uid = per_uid;
    l.idle_timeout = idle;
    return l;
}

TEST(Server, AnswersEachLineInOrder) {
    Harness h(limits());
    auto c = SocketClient::connect(h.path());
    ASSERT_TRUE(c.send_raw("one\ntwo\nthr"));
    EXPECT_EQ(c.read_line(), "root:one");
    EXPECT_EQ(c.read_line(), "root:two");
    ASSERT_TRUE(c.send_raw("ee\n"));
    EXPECT_EQ(c.read_line(), "root:three");
}

TEST(Server, SocketIsWorldConnectable) {
    Harness h(limits());
    EXPECT_EQ(std::filesystem::status(h.path()).permissions() & std::filesystem::perms::all,
              static_cast<std::filesystem::perms>(0666));
}

TEST(Server, LastLineWithoutNewlineIsAnsweredAtEndOfInput) {
    Harness h(limits());
    auto c = SocketClient::connect(h.path());
    ASSERT_TRUE(c.send_raw("last"));
    c.shutdown_write();
    EXPECT_EQ(c.read_line(), "root:last");
    EXPECT_TRUE(c.wait_closed(5s));
}

TEST(Server, LineOfExactlyTheLimitIsServed) {
    Harness h(limits());
    auto c = SocketClient::connect(h.path());
    std::string line(wire::kMaxLine - 1, 'a');  // + newline = 65536 bytes
    ASSERT_TRUE(c.send_raw(line + "\n"));
    auto answer = c.read_line();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->size(), line.size() + 5);
}

TEST(Server, LineOverTheLimitIsRefusedAndClosed) {
    Harness h(limits());
    auto c = SocketClient::connect(h.path());
    (void)c.send_raw(std::string(wire::kMaxLine, 'a'));  // no newline: already one byte too many
    auto answer = c.read_line();
    ASSERT_TRUE(answer);
    EXPECT_NE(answer->find("request_too_large"), std::string::npos) << *answer;
    EXPECT_TRUE(c.wait_closed(5s));
    EXPECT_EQ(h.handled(), 0);
}

TEST(Server, CapsConcurrentConnectionsPerUid) {
    Harness h(limits(2));
    auto a = SocketClient::connect(h.path());
    auto b = SocketClient::connect(h.path());
    ASSERT_TRUE(a.send_raw("a\n"));
    ASSERT_TRUE(b.send_raw("b\n"));
    EXPECT_EQ(a.read_line(), "root:a");
    EXPECT_EQ(b.read_line(), "root:b");
    auto third = SocketClient::connect(h.path());
    auto refusal = third.read_line();
    ASSERT_TRUE(refusal);
    EXPECT_NE(refusal->find("too_many_connections"), std::string::npos) << *refusal;
    EXPECT_TRUE(third.wait_closed(5s));
    // Another uid is not affected by root's connections (connecting as it needs root).
    if (!test::is_root()) return;
    test::Identity nobody{65534, 65534, {}};
    auto other = SocketClient::connect_as(h.path(), nobody);
    ASSERT_TRUE(other.send_raw("x\n"));
    auto answer = other.read_line();
    ASSERT_TRUE(answer);
    EXPECT_NE(answer->find(":x"), std::string::npos);
    // A closed connection frees its slot.
    a.close();
    EXPECT_TRUE(test::poll_until([&] {
        auto again = SocketClient::connect(h.path());
        return again.send_raw("again\n") && again.read_line(1s) == "root:again";
    }));
}

TEST(Server, IdleConnectionsAreClosed) {
    Harness h(limits(4, 1s));
    auto c = SocketClient::connect(h.path());
    EXPECT_TRUE(c.wait_closed(10s));
}

TEST(Server, AClientThatDoesNotReadStallsNobody) {
    Harness h(limits());
    auto hog = SocketClient::connect(h.path());
    // Many requests whose answers are never read: the server stops reading the hog once its
    // output buffer is full, and keeps serving others.
    std::string burst;
    for (int i = 0; i < 2000; ++i) burst.append(1000, 'h').push_back('\n');
    std::thread writer([&] { (void)hog.send_raw(burst); });
    EXPECT_TRUE(test::poll_until([&] { return h.handled() > 100; }));
    auto other = SocketClient::connect(h.path());
    ASSERT_TRUE(other.send_raw("hello\n"));
    EXPECT_EQ(other.read_line(), "root:hello");
    ::shutdown(hog.fd(), SHUT_RDWR);  // wakes the blocked writer
    writer.join();
}

}  // namespace
}  // namespace jitd::agent
