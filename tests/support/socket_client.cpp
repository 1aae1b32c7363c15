#include "tests/support/socket_client.hpp"

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace jitd::test {
namespace {

sockaddr_un unix_address(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    if (path.size() >= sizeof a.sun_path) throw std::runtime_error("socket path too long: " + path);
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    return a;
}

std::string errno_text(const std::string& what, int e) {
    return what + ": " + std::strerror(e);
}

// The fd passed back by the child of connect_as, or -errno.
int receive_fd(int sock) {
    int err = 0;
    iovec iov{&err, sizeof err};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof err)) return -EPROTO;
    if (err != 0) return -err;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (!c || c->cmsg_type != SCM_RIGHTS) return -EPROTO;
    int fd;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

}  // namespace

Identity identity_of(const std::string& user) {
    passwd* pw = ::getpwnam(user.c_str());
    if (!pw) throw std::runtime_error("no such user: " + user);
    Identity id{pw->pw_uid, pw->pw_gid, {}};
    int n = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    while (::getgrouplist(user.c_str(), pw->pw_gid, groups.data(), &n) < 0)
        groups.resize(static_cast<std::size_t>(n));
    groups.resize(static_cast<std::size_t>(n));
    id.groups = groups;
    return id;
}

SocketClient SocketClient::connect(const std::string& path) {
    auto c = try_connect(path);
    if (!c) throw std::runtime_error(errno_text("connect " + path, errno));
    return std::move(*c);
}

std::optional<SocketClient> SocketClient::try_connect(const std::string& path) {
    sockaddr_un a = unix_address(path);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(errno_text("socket", errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        int e = errno;
        ::close(fd);
        errno = e;
        return std::nullopt;
    }
    return SocketClient(fd);
}

SocketClient SocketClient::connect_as(const std::string& path, const Identity& who) {
    // Everything the child needs is prepared here: after fork() in a threaded process the
    // child may only make async-signal-safe calls (raw syscalls, no allocation).
    sockaddr_un a = unix_address(path);
    std::vector<gid_t> groups = who.groups;
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        throw std::runtime_error(errno_text("socketpair", errno));
    pid_t pid = ::fork();
    if (pid < 0) {
        int e = errno;
        ::close(pair[0]);
        ::close(pair[1]);
        throw std::runtime_error(errno_text("fork", e));
    }
    if (pid == 0) {
        int err = 0, fd = -1;
        // Drop to the identity first: the socket is made and connected as it.
        if (::syscall(SYS_setgroups, groups.size(), groups.data()) != 0 ||
            ::syscall(SYS_setresgid, who.gid, who.gid, who.gid) != 0 ||
            ::syscall(SYS_setresuid, who.uid, who.uid, who.uid) != 0 ||
            (fd = ::socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
            ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            err = errno;
        }
        iovec iov{&err, sizeof err};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        if (err == 0) {
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            cmsghdr* c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
        }
        ::sendmsg(pair[1], &msg, MSG_NOSIGNAL);
        ::_exit(0);
    }
    ::close(pair[1]);
    int fd = receive_fd(pair[0]);
    ::close(pair[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (fd < 0)
        throw std::runtime_error(
            errno_text("connect " + path + " as uid " + std::to_string(who.uid), -fd));
    return SocketClient(fd);
}

SocketClient::SocketClient(SocketClient&& o) noexcept
    : fd_(o.fd_), buf_(std::move(o.buf_)), eof_(o.eof_) {
    o.fd_ = -1;
}

SocketClient& SocketClient::operator=(SocketClient&& o) noexcept {
    if (this != &o) {
        close();
        fd_ = o.fd_;
        buf_ = std::move(o.buf_);
        eof_ = o.eof_;
        o.fd_ = -1;
    }
    return *this;
}

SocketClient::~SocketClient() {
    close();
}

void SocketClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void SocketClient::shutdown_write() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool SocketClient::send_raw(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

int SocketClient::fill(std::chrono::milliseconds timeout) {
    if (eof_ || fd_ < 0) return 0;
    pollfd p{fd_, POLLIN, 0};
    int r;
    do r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    while (r < 0 && errno == EINTR);
    if (r == 0) return -1;
    char chunk[65536];
    ssize_t n;
    do n = ::recv(fd_, chunk, sizeof chunk, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        eof_ = true;  // orderly close or reset: either way nothing more will come
        return 0;
    }
    buf_.append(chunk, static_cast<std::size_t>(n));
    return 1;
}

std::optional<std::string> SocketClient::read_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        auto nl = buf_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buf_.substr(0, nl);
            buf_.erase(0, nl + 1);
            return line;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() < 0) return std::nullopt;
        if (fill(left) <= 0) return std::nullopt;
    }
}

bool SocketClient::wait_closed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() < 0) return eof_;
        int r = fill(left);
        if (r == 0) return true;
        if (r < 0) return false;
        buf_.clear();
    }
}

nlohmann::json SocketClient::request(const nlohmann::json& req, std::chrono::milliseconds timeout) {
    std::string text = req.dump();
    if (!send_raw(text + "\n")) throw std::runtime_error("send failed: " + text);
    auto line = read_line(timeout);
    if (!line) throw std::runtime_error("no answer to " + text);
    try {
        return nlohmann::json::parse(*line);
    } catch (const nlohmann::json::exception&) {
        throw std::runtime_error("answer is not JSON: " + *line);
    }
}

nlohmann::json request_once(const std::string& path, const nlohmann::json& req) {
    return SocketClient::connect(path).request(req);
}

nlohmann::json request_once_as(const std::string& path, const Identity& who,
                               const nlohmann::json& req) {
    return SocketClient::connect_as(path, who).request(req);
}

}  // namespace jitd::test
