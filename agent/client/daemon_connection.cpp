#include "agent/client/daemon_connection.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

namespace jitd::client {
namespace {

using Clock = std::chrono::steady_clock;

// Responses may list many grants; far more than the 64 KiB of a request line is still sane.
constexpr std::size_t kMaxResponse = std::size_t{16} << 20;

std::string errno_text(int err) {
    return std::strerror(err);
}

bool is_string_member(const nlohmann::json& obj, const char* key) {
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string();
}

// What makes `j` no answer of the protocol (agent/PROTOCOL.md), or nullptr.
const char* malformed_answer(const nlohmann::json& j) {
    if (j.is_discarded() || !j.is_object()) return "the answer is not a JSON object";
    const auto ok = j.find("ok");
    if (ok == j.end() || !ok->is_boolean()) return "the answer has no boolean \"ok\"";
    if (ok->get<bool>()) return nullptr;
    const auto err = j.find("error");
    if (err == j.end() || !err->is_object() || !is_string_member(*err, "code") ||
        !is_string_member(*err, "message"))
        return "the answer is a refusal without an error code and message";
    return nullptr;
}

}  // namespace

void DaemonConnection::fail(const std::string& what) const {
    throw DaemonUnavailable("cannot talk to jitd at " + path_ + ": " + what +
                            " (is jitd running? --socket or JITD_SOCKET selects another socket)");
}

DaemonConnection::DaemonConnection(std::string path, std::chrono::milliseconds timeout)
    : path_(std::move(path)), timeout_(timeout) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.empty() || path_.size() >= sizeof addr.sun_path) fail("socket path is too long");
    std::memcpy(addr.sun_path, path_.data(), path_.size());

    fd_ = wire::Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd_.get() < 0) fail(errno_text(errno));
    const auto deadline = Clock::now() + timeout_;
    // A full listen backlog answers EAGAIN; Unix sockets then need a new connect(), not poll().
    while (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        const int err = errno;
        if (err == EINTR) continue;
        if (err != EAGAIN || Clock::now() >= deadline) fail(errno_text(err));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

bool DaemonConnection::ready_by(short events, Clock::time_point deadline) const {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        pollfd p{fd_.get(), events, 0};
        const int n = ::poll(&p, 1, static_cast<int>(left.count()) + 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(errno_text(errno));
        if (n > 0) return true;
    }
}

void DaemonConnection::wait_for(short events, Clock::time_point deadline, const char* what) const {
    if (!ready_by(events, deadline))
        fail("no answer within " + std::to_string(timeout_.count()) + " ms while " + what);
}

void DaemonConnection::send_line(const std::string& line, Clock::time_point deadline) {
    std::size_t sent = 0;
    while (sent < line.size()) {
        wait_for(POLLOUT, deadline, "sending the request");
        const ssize_t n = ::send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) fail(errno_text(errno));
        sent += static_cast<std::size_t>(n);
    }
}

std::optional<std::string> DaemonConnection::read_line(Clock::time_point deadline) {
    std::size_t newline = 0;
    while ((newline = pending_.find('\n')) == std::string::npos) {
        if (pending_.size() > kMaxResponse) fail("the answer is too long");
        if (!ready_by(POLLIN, deadline)) return std::nullopt;
        std::array<char, 8192> buf{};
        const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n < 0) fail(errno_text(errno));
        if (n == 0) fail("the daemon closed the connection without an answer");
        pending_.append(buf.data(), static_cast<std::size_t>(n));
    }
    std::string line = pending_.substr(0, newline);
    pending_.erase(0, newline + 1);
    return line;
}

nlohmann::json DaemonConnection::request(const nlohmann::json& req) {
    const auto deadline = Clock::now() + timeout_;
    send_line(req.dump() + "\n", deadline);
    const auto line = read_line(deadline);
    if (!line)
        fail("no answer within " + std::to_string(timeout_.count()) +
             " ms while waiting for the answer");
    auto j = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
    if (const char* wrong = malformed_answer(j)) fail(wrong);
    return j;
}

std::optional<nlohmann::json> DaemonConnection::next_answer(std::chrono::milliseconds within) {
    // One poll() for the whole wait: the client sleeps in the kernel until the line comes.
    const auto line = read_line(Clock::now() + within);
    if (!line) return std::nullopt;
    auto j = nlohmann::json::parse(*line, nullptr, /*allow_exceptions=*/false);
    if (const char* wrong = malformed_answer(j)) fail(wrong);
    return j;
}

}  // namespace jitd::client
