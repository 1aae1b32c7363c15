// A test client for jitd's Unix socket: connect by path (as the test's own root identity or as
// any uid/gid/groups), send raw bytes, read newline-terminated lines with a timeout, or do one
// JSON request/response. Used by the daemon and client integration tests to talk to a real jitd.
//
//   SocketClient c = SocketClient::connect(path);               // as the test process (root)
//   SocketClient u = SocketClient::connect_as(path, identity);  // SO_PEERCRED = identity
//   nlohmann::json r = u.request({{"op", "status"}});
//
// connect_as() forks a child that drops to the identity (setgroups, setresgid, setresuid), does
// the connect(), and passes the connected fd back over SCM_RIGHTS; the kernel records the peer
// credentials at connect time, so the daemon sees the identity while the test keeps the fd.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace jitd::test {

// Who a connection claims to be (the kernel, not the client, vouches for it).
struct Identity {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups
};

// Supplementary groups of `user` as the system lists them (getgrouplist).
Identity identity_of(const std::string& user);

class SocketClient {
  public:
    // Throw std::runtime_error when the connection cannot be made.
    static SocketClient connect(const std::string& path);
    static SocketClient connect_as(const std::string& path, const Identity& who);
    // Same, but return nullopt instead of throwing (e.g. the daemon is not listening yet).
    static std::optional<SocketClient> try_connect(const std::string& path);

    SocketClient(SocketClient&& o) noexcept;
    SocketClient& operator=(SocketClient&& o) noexcept;
    SocketClient(const SocketClient&) = delete;
    SocketClient& operator=(const SocketClient&) = delete;
    ~SocketClient();

    int fd() const { return fd_; }
    // Writes all of `bytes`; false when the peer has gone (EPIPE, ECONNRESET...).
    bool send_raw(std::string_view bytes);
    // The next line without its '\n'; nullopt on time-out or when the peer closed first.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = kDefaultTimeout);
    // True when the peer closes the connection within `timeout` (unread lines are discarded).
    bool wait_closed(std::chrono::milliseconds timeout);
    // Sends `req` as one line and parses the answer line. Throws std::runtime_error when no
    // line comes back in time or it is not JSON.
    nlohmann::json request(const nlohmann::json& req,
                           std::chrono::milliseconds timeout = kDefaultTimeout);
    // Half-closes or fully closes the connection.
    void shutdown_write();
    void close();

    static constexpr std::chrono::milliseconds kDefaultTimeout{5000};

  private:
    explicit SocketClient(int fd) : fd_(fd) {}
    // Reads what is available into buf_; 1 data, 0 EOF/error, -1 time-out.
    int fill(std::chrono::milliseconds timeout);

    int fd_ = -1;
    std::string buf_;
    bool eof_ = false;
};

// One request on a fresh connection: the common case.
nlohmann::json request_once(const std::string& path, const nlohmann::json& req);
nlohmann::json request_once_as(const std::string& path, const Identity& who,
                               const nlohmann::json& req);

}  // namespace jitd::test
