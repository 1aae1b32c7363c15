// One connection to jitd's socket: newline-delimited JSON, every wait bounded by a timeout.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/wire/fd.hpp"

namespace jitd::client {

// The daemon cannot be reached or did not answer properly (exit 69). The message names the
// socket path.
class DaemonUnavailable : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
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

    // The next answer line without sending anything (the decision after a pending answer to
    // `open` with wait), or none when `within` passes first. Throws like request().
    std::optional<nlohmann::json> next_answer(std::chrono::milliseconds within);

    const std::string& path() const { return path_; }

  private:
    [[noreturn]] void fail(const std::string& what) const;
    // Whether `events` came before `deadline`.
    bool ready_by(short events, std::chrono::steady_clock::time_point deadline) const;
    void wait_for(short events, std::chrono::steady_clock::time_point deadline,
                  const char* what) const;
    void send_line(const std::string& line, std::chrono::steady_clock::time_point deadline);
    // The next line of the answer, without its newline; none at the deadline.
    std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline);

    std::string path_;
    std::chrono::milliseconds timeout_;
    wire::Fd fd_;
    std::string pending_;  // bytes read past the last newline
};

}  // namespace jitd::client
