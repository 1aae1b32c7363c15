#include "tests/support/netns.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <dirent.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "tests/support/process.hpp"

namespace jitd::test {
namespace {

constexpr const char* kPrefix = "jitdt-";

void write_sysctl(const char* path, std::string_view value) {
    int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::string("open ") + path + ": " + std::strerror(errno));
    ssize_t n = ::write(fd, value.data(), value.size());
    int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(value.size()))
        throw std::runtime_error(std::string("write ") + path + ": " + std::strerror(err));
}

// A sockaddr for an IPv4 or IPv6 literal; IPv4 is mapped so one [::] socket serves both.
struct Addr {
    sockaddr_storage ss{};
    socklen_t len = 0;
    int family = AF_INET;
};

Addr make_addr(const std::string& text, std::uint16_t port) {
    Addr a;
    if (text.find(':') == std::string::npos) {
        auto* s = reinterpret_cast<sockaddr_in*>(&a.ss);
        s->sin_family = AF_INET;
        s->sin_port = htons(port);
        if (inet_pton(AF_INET, text.c_str(), &s->sin_addr) != 1)
            throw std::runtime_error("bad IPv4 address " + text);
        a.len = sizeof *s;
        a.family = AF_INET;
    } else {
        auto* s = reinterpret_cast<sockaddr_in6*>(&a.ss);
        s->sin6_family = AF_INET6;
        s->sin6_port = htons(port);
        if (inet_pton(AF_INET6, text.c_str(), &s->sin6_addr) != 1)
            throw std::runtime_error("bad IPv6 address " + text);
        a.len = sizeof *s;
        a.family = AF_INET6;
    }
    return a;
}

int dual_stack_socket(int type, std::uint16_t port) {
    int fd = ::socket(AF_INET6, type | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    int zero = 0, one = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in6 any{};
    any.sin6_family = AF_INET6;
    any.sin6_port = htons(port);
    any.sin6_addr = in6addr_any;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0) {
        int e = errno;
        ::close(fd);
        throw std::runtime_error("bind port " + std::to_string(port) + ": " + std::strerror(e));
    }
    return fd;
}

bool wait_fd(int fd, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd, events, 0};
    int n;
    do n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    while (n < 0 && errno == EINTR);
    return n > 0 && (p.revents & events);
}

void close_pair(int p[2]) {
    for (int i = 0; i < 2; ++i)
        if (p[i] >= 0) ::close(p[i]);
}

// A socket bound to `src` in namespace `ns`, of the family of `dst`.
int bound_socket(const Netns& ns, int type, const std::string& src, const Addr& dst) {
    int fd = -1;
    std::string err;
    ns.run([&] {
        fd = ::socket(dst.family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            err = std::strerror(errno);
            return;
        }
        Addr s = make_addr(src, 0);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&s.ss), s.len) != 0) {
            err = "bind " + src + ": " + std::strerror(errno);
            ::close(fd);
            fd = -1;
        }
    });
    if (fd < 0) throw std::runtime_error("probe socket: " + err);
    return fd;
}

// Echoes what each ready connection (fds[2...]) sent; closes and drops those that ended.
void echo_ready(std::vector<pollfd>& fds) {
    for (std::size_t i = 2; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        char buf[4096];
        ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
        if (n <= 0) {
            ::close(fds[i].fd);
            fds.erase(fds.begin() + static_cast<long>(i--));
        } else if (::write(fds[i].fd, buf, static_cast<std::size_t>(n)) != n) {
            // a short echo only fails the client's check; nothing to do here
        }
    }
}

// TcpEchoServer's thread: accepts and echoes until a byte arrives on stop_fd.
void echo_tcp(int stop_fd, int listen_fd) {
    std::vector<pollfd> fds{{stop_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
    while (true) {
        if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) break;
        if (fds[0].revents) break;
        if (fds[1].revents & POLLIN) {
            int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0) fds.push_back({c, POLLIN, 0});
        }
        echo_ready(fds);
    }
    for (std::size_t i = 2; i < fds.size(); ++i) ::close(fds[i].fd);
}

}  // namespace

Netns::Netns(std::string name) : name_(std::move(name)) {
    run_ok({"ip", "netns", "add", name_});
}

Netns::~Netns() {
    jitd::test::run({"ip", "netns", "del", name_});
}

void Netns::run(const std::function<void()>& fn) const {
    std::string path = "/run/netns/" + name_;
    std::exception_ptr error;
    std::thread t([&] {
        try {
            int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
            int rc = ::setns(fd, CLONE_NEWNET);
            ::close(fd);
            if (rc != 0) throw std::runtime_error("setns " + name_ + ": " + std::strerror(errno));
            fn();
        } catch (...) {
            error = std::current_exception();
        }
    });
    t.join();
    if (error) std::rethrow_exception(error);
}

std::vector<std::string> Netns::exec(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"ip", "netns", "exec", name_});
    return argv;
}

TestNet::TestNet() {
    static std::atomic<int> counter{0};
    std::string base =
        std::string(kPrefix) + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-";
    server_ = std::make_unique<Netns>(base + "srv");
    client_ = std::make_unique<Netns>(base + "cli");
    const std::string s = server_->name(), c = client_->name();
    // No duplicate address detection: addresses (link-local too) are usable at once. Written
    // from a thread inside each namespace: net sysctls resolve to the writer's namespace.
    for (const auto* ns : {server_.get(), client_.get()})
        ns->run([] {
            for (const char* f : {"/proc/sys/net/ipv6/conf/all/accept_dad",
                                  "/proc/sys/net/ipv6/conf/default/accept_dad"})
                write_sysctl(f, "0");
        });
    constexpr const char* kServerMac = "02:6a:69:74:64:01";
    constexpr const char* kClientMac = "02:6a:69:74:64:02";
    run_ok({"ip", "link", "add", "jv0", "netns", s, "address", kServerMac, "type", "veth", "peer",
            "name", "jv1", "netns", c, "address", kClientMac});
    // One `ip -batch` per namespace: in a TCG test VM every exec costs a tenth of a second.
    std::string srv_cmds = "link set lo up\n";
    srv_cmds += "addr add " + std::string(TestAddrs::server4) + "/24 dev jv0\n";
    srv_cmds += "addr add " + std::string(TestAddrs::server6) + "/64 dev jv0 nodad\n";
    srv_cmds += "link set jv0 up\n";
    std::string cli_cmds = "link set lo up\n";
    for (const char* a : {TestAddrs::client4, TestAddrs::client4b})
        cli_cmds += "addr add " + std::string(a) + "/24 dev jv1\n";
    for (const char* a : {TestAddrs::client6, TestAddrs::client6b})
        cli_cmds += "addr add " + std::string(a) + "/64 dev jv1 nodad\n";
    cli_cmds += "link set jv1 up\n";
    // Static neighbours: no ARP/ND round trip can make a probe's first packet late.
    for (const char* a :
         {TestAddrs::client4, TestAddrs::client4b, TestAddrs::client6, TestAddrs::client6b})
        srv_cmds += "neigh replace " + std::string(a) + " lladdr " + kClientMac +
                    " dev jv0 nud permanent\n";
    for (const char* a : {TestAddrs::server4, TestAddrs::server6})
        cli_cmds += "neigh replace " + std::string(a) + " lladdr " + kServerMac +
                    " dev jv1 nud permanent\n";
    run_ok({"ip", "-n", s, "-batch", "-"}, srv_cmds);
    run_ok({"ip", "-n", c, "-batch", "-"}, cli_cmds);
}

void sweep_stale_namespaces(const std::string& prefix) {
    DIR* d = ::opendir("/run/netns");
    if (!d) return;
    std::vector<std::string> stale;
    while (dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.rfind(prefix, 0) != 0) continue;
        pid_t pid = std::atoi(n.c_str() + prefix.size());
        if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH) stale.push_back(n);
    }
    ::closedir(d);
    for (const auto& n : stale) jitd::test::run({"ip", "netns", "del", n});
}

void TestNet::sweep_stale() {
    sweep_stale_namespaces(kPrefix);
}

TcpEchoServer::TcpEchoServer(const Netns& ns, std::uint16_t port) {
    ns.run([&] { listen_fd_ = dual_stack_socket(SOCK_STREAM, port); });
    if (::listen(listen_fd_, 64) != 0) throw std::runtime_error("listen failed");
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    thread_ = std::thread([this] { echo_tcp(stop_pipe_[0], listen_fd_); });
}

TcpEchoServer::~TcpEchoServer() {
    if (::write(stop_pipe_[1], "x", 1) != 1) {
    }
    thread_.join();
    ::close(listen_fd_);
    close_pair(stop_pipe_);
}

UdpEchoServer::UdpEchoServer(const Netns& ns, std::uint16_t port) {
    ns.run([&] { fd_ = dual_stack_socket(SOCK_DGRAM, port); });
    if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    thread_ = std::thread([this] {
        pollfd fds[2] = {{stop_pipe_[0], POLLIN, 0}, {fd_, POLLIN, 0}};
        while (true) {
            if (::poll(fds, 2, -1) < 0 && errno != EINTR) break;
            if (fds[0].revents) break;
            if (!(fds[1].revents & POLLIN)) continue;
            char buf[2048];
            sockaddr_storage from{};
            socklen_t fl = sizeof from;
            ssize_t n =
                ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
            if (n > 0)
                ::sendto(fd_, buf, static_cast<std::size_t>(n), 0,
                         reinterpret_cast<sockaddr*>(&from), fl);
        }
    });
}

UdpEchoServer::~UdpEchoServer() {
    if (::write(stop_pipe_[1], "x", 1) != 1) {
    }
    thread_.join();
    ::close(fd_);
    close_pair(stop_pipe_);
}

TcpClient::TcpClient(const Netns& ns, const std::string& src, const std::string& dst,
                     std::uint16_t port, std::chrono::milliseconds timeout) {
    Addr d = make_addr(dst, port);
    fd_ = bound_socket(ns, SOCK_STREAM, src, d);
    int rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&d.ss), d.len);
    if (rc == 0) {
        connected_ = true;
    } else if (errno == EINPROGRESS && wait_fd(fd_, POLLOUT, timeout)) {
        int err = 0;
        socklen_t l = sizeof err;
        getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &l);
        connected_ = err == 0;
    }
}

TcpClient::~TcpClient() {
    if (fd_ >= 0) ::close(fd_);
}

std::uint16_t TcpClient::local_port() const {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

bool TcpClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait_fd(fd_, POLLIN, left)) return false;
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
    }
}

bool TcpClient::echo(const std::string& text, std::chrono::milliseconds timeout) {
    if (!connected_) return false;
    if (::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size()))
        return false;
    std::string got;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (got.size() < text.size()) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !wait_fd(fd_, POLLIN, left)) return false;
        char buf[4096];
        ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return false;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got == text;
}

bool tcp_connects(const Netns& ns, const std::string& src, const std::string& dst,
                  std::uint16_t port, std::chrono::milliseconds timeout) {
    return TcpClient(ns, src, dst, port, timeout).connected();
}

bool udp_answers(const Netns& ns, const std::string& src, const std::string& dst,
                 std::uint16_t port, std::chrono::milliseconds timeout) {
    Addr d = make_addr(dst, port);
    int fd = bound_socket(ns, SOCK_DGRAM, src, d);
    bool ok = false;
    const char msg[] = "jitd-probe";
    // The first datagram can wait on neighbour discovery; resend a few times within the limit.
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!ok) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        ::sendto(fd, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&d.ss), d.len);
        if (wait_fd(fd, POLLIN, std::min(left, std::chrono::milliseconds(100)))) {
            char buf[64];
            ok = ::recv(fd, buf, sizeof buf, 0) == static_cast<ssize_t>(sizeof msg);
        }
    }
    ::close(fd);
    return ok;
}

std::string root_ruleset() {
    return run_ok({"nft", "list", "ruleset"});
}

}  // namespace jitd::test
