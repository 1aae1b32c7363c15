#include "agent/daemon/listen_socket.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <systemd/sd-daemon.h>

namespace jitd::agent {
namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

sockaddr_un address_of(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        throw ListenError("socket path '" + path + "' is empty or too long");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return addr;
}

Fd new_socket() {
    Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) throw ListenError("cannot create a Unix socket: " + errno_text(errno));
    return fd;
}

// True when a process accepts connections on `path`.
bool someone_listens(const sockaddr_un& addr) {
    Fd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!probe) return false;
    if (connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0)
        return true;
    // ECONNREFUSED: a socket file nobody listens on. EAGAIN: a live listener with a full
    // backlog, which is still a live daemon.
    return errno == EAGAIN;
}

}  // namespace

Fd activated_socket() {
    int n = sd_listen_fds(1);
    if (n <= 0) return Fd();
    if (n > 1)
        throw ListenError("systemd passed " + std::to_string(n) + " sockets; jitd takes one");
    int fd = SD_LISTEN_FDS_START;
    if (sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0) <= 0)
        throw ListenError("the socket systemd passed is not a listening Unix stream socket");
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        throw ListenError("cannot make the passed socket non-blocking: " + errno_text(errno));
    return Fd(fd);
}

Fd bind_socket(const std::string& path) {
    const sockaddr_un addr = address_of(path);
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent)) {
        std::error_code ec;
        std::filesystem::create_directories(parent, ec);
        if (ec) throw ListenError("cannot create " + parent.string() + ": " + ec.message());
        ::chmod(parent.c_str(), 0755);
    }
    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            throw ListenError(path + " exists and is not a socket; not replacing it");
        if (someone_listens(addr))
            throw ListenError("another jitd is already listening on " + path);
        if (unlink(path.c_str()) != 0 && errno != ENOENT)
            throw ListenError("cannot remove the stale socket " + path + ": " + errno_text(errno));
    }
    Fd fd = new_socket();
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        throw ListenError("cannot bind " + path + ": " + errno_text(errno));
    if (::chmod(path.c_str(), 0666) != 0)
        throw ListenError("cannot set the mode of " + path + ": " + errno_text(errno));
    if (listen(fd.get(), SOMAXCONN) != 0)
        throw ListenError("cannot listen on " + path + ": " + errno_text(errno));
    return fd;
}

}  // namespace jitd::agent
