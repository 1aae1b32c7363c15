// One connection to jitd's socket: newline-delimited JSON, every wait bounded by a timeout.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace jitd::client {

// The daemon cannot be reached or did not answer properly (exit 69). The message names the
// socket path.
class DaemonUnavailable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A file descriptor that closes itself; move-only.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const { return fd_; }
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

  private:
    int fd_ = -1;
};

inline constexpr std::chrono::milliseconds kDefaultTimeout{10000};

class DaemonConnection {
  public:
    // Connects to the Unix socket at `path`; throws DaemonUnavailable.
    DaemonConnection(std::string path, std::chrono::milliseconds timeout = kDefaultTimeout);

    // Sends one request line and returns the response object, which has a boolean "ok" (and
    // an error object with a code and a message when ok is false). Throws DaemonUnavailable on
    // a timeout, a closed connection, or an answer that is not such an object.
    nlohmann::json request(const nlohmann::json& req);

    const std::string& path() const { return path_; }

  private:
    [[noreturn]] void fail(const std::string& what) const;
    void wait_for(short events, std::chrono::steady_clock::time_point deadline,
                  const char* what) const;

    std::string path_;
    std::chrono::milliseconds timeout_;
    UniqueFd fd_;
    std::string pending_;  // bytes read past the last newline
};

}  // namespace jitd::client
