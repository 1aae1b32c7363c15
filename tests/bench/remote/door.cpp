#include "tests/bench/remote/door.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <regex>
#include <stdexcept>

#include "tests/support/process.hpp"

namespace jitd::bench::remote {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr auto kCadence = milliseconds(1);
constexpr auto kProbeWait = microseconds(2000);  // a veth handshake takes ~0.1 ms
constexpr auto kConfirmWait = microseconds(300000);

sockaddr_in v4(const std::string& text, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, text.c_str(), &a.sin_addr) != 1)
        throw std::invalid_argument("bad IPv4 address " + text);
    return a;
}

}  // namespace

Acceptor::Acceptor(const test::Netns& ns, std::uint16_t port) {
    ns.run([&] {
        listen_ = wire::Fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (!listen_) throw std::runtime_error("socket failed");
        const int off = 0, on = 1;
        ::setsockopt(listen_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        ::setsockopt(listen_.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        sockaddr_in6 any{};
        any.sin6_family = AF_INET6;
        any.sin6_port = htons(port);
        if (::bind(listen_.get(), reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 ||
            ::listen(listen_.get(), 4096) != 0)
            throw std::runtime_error("cannot listen on port " + std::to_string(port));
    });
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    stop_read_ = wire::Fd(p[0]);
    stop_write_ = wire::Fd(p[1]);
    thread_ = std::thread([this] {
        pollfd fds[2] = {{listen_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
        while (::poll(fds, 2, -1) >= 0 || errno == EINTR) {
            if (fds[1].revents != 0) return;
            for (;;) {
                const int c = ::accept4(listen_.get(), nullptr, nullptr, SOCK_CLOEXEC);
                if (c < 0) break;
                ::close(c);
            }
        }
    });
}

Acceptor::~Acceptor() {
    const char x = 0;
    (void)!::write(stop_write_.get(), &x, 1);
    thread_.join();
}

bool connect_once(const std::string& src, const std::string& dst, std::uint16_t port,
                  microseconds wait) {
    wire::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) throw std::runtime_error("socket failed");
    const linger reset{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    const sockaddr_in from = v4(src, 0), to = v4(dst, port);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0)
        throw std::runtime_error("cannot bind " + src + " (not in this namespace?)");
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0) return true;
    if (errno != EINPROGRESS) return false;
    pollfd p{fd.get(), POLLOUT, 0};
    const int ms = static_cast<int>((wait.count() + 999) / 1000);
    if (::poll(&p, 1, ms) != 1) return false;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    return err == 0;
}

std::optional<Clock::time_point> wait_open(const std::string& src, const std::string& dst,
                                           std::uint16_t port, Clock::time_point start,
                                           milliseconds limit) {
    for (;;) {
        const auto attempt = Clock::now();
        if (connect_once(src, dst, port, kCadence)) return Clock::now();
        if (attempt - start > limit) return std::nullopt;
        // A refusal (RST, ICMP) returns at once: keep the cadence instead of spinning.
        std::this_thread::sleep_until(attempt + kCadence);
    }
}

std::optional<Clock::time_point> wait_closed(const std::string& src, const std::string& dst,
                                             std::uint16_t port, milliseconds limit) {
    const auto start = Clock::now();
    for (;;) {
        const auto attempt = Clock::now();
        if (!connect_once(src, dst, port, kProbeWait) &&
            !connect_once(src, dst, port, kConfirmWait))
            return attempt;
        if (attempt - start > limit) return std::nullopt;
        std::this_thread::sleep_until(attempt + kCadence);
    }
}

std::vector<std::string> add_client_addresses(const test::Netns& server, const test::Netns& client,
                                              unsigned first, unsigned count) {
    if (first < 4 || first + count > 255) throw std::invalid_argument("address range");
    const std::string link = test::run_ok(client.exec({"ip", "-o", "link", "show", "jv1"}));
    std::smatch m;
    static const std::regex mac_re("link/ether ([0-9a-f:]{17})");
    if (!std::regex_search(link, m, mac_re)) throw std::runtime_error("no MAC for jv1: " + link);
    std::vector<std::string> out;
    std::string add, neigh;
    for (unsigned i = first; i < first + count; ++i) {
        out.push_back("198.51.100." + std::to_string(i));
        add += "addr add " + out.back() + "/24 dev jv1\n";
        neigh +=
            "neigh replace " + out.back() + " lladdr " + m[1].str() + " dev jv0 nud permanent\n";
    }
    test::run_ok(client.exec({"ip", "-batch", "-"}), add);
    test::run_ok(server.exec({"ip", "-batch", "-"}), neigh);
    return out;
}

}  // namespace jitd::bench::remote
