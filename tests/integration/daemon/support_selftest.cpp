// Checks the test fixtures themselves (users, socket client, journal reader) without a daemon,
// so a failing daemon test can be told apart from a broken fixture.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "tests/support/journal.hpp"
#include "tests/support/process.hpp"
#include "tests/support/socket_client.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {
namespace {

// A one-connection Unix server that answers each line with the peer's uid and groups.
class CredEchoServer {
  public:
    explicit CredEchoServer(const std::string& path) : path_(path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        path.copy(a.sun_path, sizeof a.sun_path - 1);
        ::unlink(path.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 4) != 0)
            throw std::runtime_error("bind " + path);
        ::chmod(path.c_str(), 0666);
        thread_ = std::thread([this] {
            int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) return;
            ucred cred{};
            socklen_t l = sizeof cred;
            ::getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &l);
            gid_t groups[64];
            socklen_t gl = sizeof groups;
            ::getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, groups, &gl);
            std::string answer = "{\"uid\":" + std::to_string(cred.uid) +
                                 ",\"gid\":" + std::to_string(cred.gid) + ",\"groups\":[";
            for (socklen_t i = 0; i < gl / sizeof(gid_t); ++i)
                answer += (i ? "," : "") + std::to_string(groups[i]);
            answer += "]}\n";
            char buf[256];
            while (::read(c, buf, sizeof buf) > 0)
                if (::write(c, answer.data(), answer.size()) < 0) break;
            ::close(c);
        });
    }
    ~CredEchoServer() {
        ::shutdown(fd_, SHUT_RDWR);
        thread_.join();
        ::close(fd_);
        ::unlink(path_.c_str());
    }

  private:
    std::string path_;
    int fd_ = -1;
    std::thread thread_;
};

TEST(SupportSelftest, UsersExistWithSupplementaryRoleGroups) {
    if (!is_root()) GTEST_SKIP() << "needs root";
    std::string name;
    {
        TestUsers u;
        name = u.requester.name;
        EXPECT_LE(name.size(), 32u);
        EXPECT_NE(u.requester.id.uid, 0u);
        group* g = ::getgrnam(u.requester_group().c_str());
        ASSERT_NE(g, nullptr);
        EXPECT_NE(u.requester.id.gid, g->gr_gid) << "role group must not be the primary group";
        const auto& gs = u.requester.id.groups;
        EXPECT_NE(std::find(gs.begin(), gs.end(), g->gr_gid), gs.end());
        auto r = TestUsers::run_as(u.viewer, {"id", "-u"});
        EXPECT_EQ(r.out, std::to_string(u.viewer.id.uid) + "\n");
        auto groups = TestUsers::run_as(u.admin, {"id", "-Gn"});
        EXPECT_NE(groups.out.find(u.admin_group()), std::string::npos) << groups.out;
    }
    EXPECT_NE(run({"id", name}).exit_code, 0) << "user left behind";
}

TEST(SupportSelftest, ConnectAsCarriesTheIdentity) {
    if (!is_root()) GTEST_SKIP() << "needs root";
    TestUsers u;
    std::string dir = "/tmp/jitdt-self-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    ::chmod(dir.c_str(), 0755);
    {
        CredEchoServer server(dir + "/s.sock");
        auto c = SocketClient::connect_as(dir + "/s.sock", u.requester.id);
        auto r = c.request({{"x", 1}});
        EXPECT_EQ(r["uid"], u.requester.id.uid);
        EXPECT_EQ(r["gid"], u.requester.id.gid);
        group* g = ::getgrnam(u.requester_group().c_str());
        ASSERT_NE(g, nullptr);
        auto gs = r["groups"].get<std::vector<gid_t>>();
        EXPECT_NE(std::find(gs.begin(), gs.end(), g->gr_gid), gs.end()) << r.dump();
        c.shutdown_write();
        EXPECT_TRUE(c.wait_closed(std::chrono::seconds(2)));
    }
    std::filesystem::remove_all(dir);
}

TEST(SupportSelftest, JournalReadsBackStructuredEntries) {
    if (!is_root()) GTEST_SKIP() << "needs root";
    Journal j;
    std::string tag = "selftest-" + std::to_string(::getpid());
    run_ok({"logger", "--journald"},
           "SYSLOG_IDENTIFIER=jitd\nMESSAGE=fixture check\nJITD_EVENT=" + tag + "\n");
    auto e = j.wait_for({{"JITD_EVENT", tag}});
    ASSERT_TRUE(e) << j.dump();
    EXPECT_EQ(journal_field(*e, "MESSAGE"), "fixture check");
    EXPECT_TRUE(Journal().entries({{"JITD_EVENT", tag}}).empty()) << "mark must hide older entries";
}

}  // namespace
}  // namespace jitd::test
