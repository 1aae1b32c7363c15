#include "agent/daemon/instance_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace jitd::agent {
namespace {

// An abstract address: sun_path starts with NUL and its length is exactly the name's.
socklen_t address_of(const std::string& table, sockaddr_un& sa) {
    const std::string name = "jitd/" + table;
    std::memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    const std::size_t n = std::min(name.size(), sizeof sa.sun_path - 1);
    std::memcpy(sa.sun_path + 1, name.data(), n);
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
}

}  // namespace

std::optional<pid_t> running_instance(const std::string& table) {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return std::nullopt;
    sockaddr_un sa{};
    const socklen_t len = address_of(table, sa);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), len) != 0) return std::nullopt;
    ucred cred{};
    socklen_t clen = sizeof cred;
    if (getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) return pid_t{0};
    return cred.pid;
}

Fd claim_instance(const std::string& table) {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) throw InstanceError(std::string("socket: ") + std::strerror(errno));
    sockaddr_un sa{};
    const socklen_t len = address_of(table, sa);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&sa), len) != 0) {
        if (errno != EADDRINUSE)
            throw InstanceError(std::string("cannot claim table inet ") + table + ": " +
                                std::strerror(errno));
        const auto pid = running_instance(table);
        throw InstanceError("another jitd" +
                            (pid && *pid > 0 ? " (pid " + std::to_string(*pid) + ")" : "") +
                            " already runs on table inet " + table + " in this network namespace");
    }
    if (::listen(fd.get(), 16) != 0)
        throw InstanceError(std::string("listen: ") + std::strerror(errno));
    return fd;
}

int accept_and_close(sd_event_source*, int fd, uint32_t, void*) {
    while (true) {
        const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0) return 0;  // EAGAIN: nobody else waiting
        ::close(c);
    }
}

}  // namespace jitd::agent
