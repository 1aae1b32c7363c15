// The socket server on sd-event: non-blocking connections, newline framing with a 64 KiB line
// cap, an idle timeout and a maximum age per connection, a cap on concurrent connections per peer
// uid, a global cap with a reserve that only root and admins may use, and a bounded output buffer
// (a client that does not read stops being read). No client can stall another: every call is
// non-blocking, each wakeup reads at most one chunk, and a peer's user and groups are looked
// up off the loop (identity_resolver.hpp); its connection is read once they are known.
// Gathering: the io handlers only read and cut lines; a defer source at a lower priority than
// theirs runs once every readable connection of the loop turn was read, and hands the next
// line of each such connection, in arrival order, to the batch handler at once. A lone request
// waits for nothing (no timer).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/daemon/batch.hpp"
#include "agent/daemon/handles.hpp"
#include "agent/daemon/identity_resolver.hpp"
#include "agent/daemon/peer.hpp"
#include "agent/wire/grant.hpp"

namespace jitd::agent {

struct ServerLimits {
    std::chrono::seconds idle_timeout{30};
    // A connection's peer and groups are those of its accept: this bounds how long they count.
    std::chrono::seconds max_age{300};
    unsigned max_connections_per_uid = 16;
    // All connections at once; the last reserve_of(max_connections) are for root and admins.
    unsigned max_connections = 1024;
    std::size_t max_line = wire::kMaxLine;  // bytes, newline included
    // Pending response bytes before reading pauses.
    std::size_t max_output = std::size_t{1024} * 1024;
};

// Connections kept for root and admins: an eighth of the cap, at least one.
constexpr unsigned reserve_of(unsigned max_connections) {
    return max_connections / 8 > 0 ? max_connections / 8 : 1;
}

class Server {
  public:
    // Answers one request line (without its newline) with one response line (without newline).
    using Handler = std::function<std::string(const Peer&, std::string_view line)>;
    // Whether a peer may use the reserved connections (root always may).
    using Privileged = std::function<bool(const Peer&)>;
    // Once the answer is sent, the connection leaves the server and its socket goes to this
    // (a client waiting for a decision, decision_waiters.hpp).
    using Handover = std::function<void(Fd, const Peer&)>;
    struct Answer {
        std::string line;  // without newline
        Handover handover;
    };
    // The lines gathered in one loop turn (at most one per connection), an answer for each.
    using BatchHandler = std::function<std::vector<Answer>(std::span<const BatchLine> lines)>;

    Server(sd_event* event, Fd listen_fd, ServerLimits limits, BatchHandler handler);
    // One line at a time (calls `handler` for each line of a batch in order).
    Server(sd_event* event, Fd listen_fd, ServerLimits limits, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::size_t connections() const { return conns_.size(); }
    // Called by a one-line handler: once the answer it returns is sent, the connection leaves
    // the server and its socket goes to `to`.
    void hand_over_after_answer(Handover to) { handover_ = std::move(to); }
    void set_privileged(Privileged privileged) { privileged_ = std::move(privileged); }
    // The peers of the open connections (one entry per connection).
    std::vector<Peer> peers() const;

  private:
    struct Connection;

    static int on_accept(sd_event_source* s, int fd, uint32_t revents, void* userdata);
    static int on_io(sd_event_source* s, int fd, uint32_t revents, void* userdata);
    static int on_idle(sd_event_source* s, uint64_t usec, void* userdata);
    static int on_aged(sd_event_source* s, uint64_t usec, void* userdata);
    static int on_accept_resume(sd_event_source* s, uint64_t usec, void* userdata);
    static int on_batch(sd_event_source* s, void* userdata);

    void accept_some();
    void serve(Connection& c, uint32_t revents);
    void open_connection(Fd fd);
    // The peer is known: refuse the connection for the global cap, or start serving it.
    void admit(Connection& c, std::optional<Peer> peer);
    void on_resolved(std::uint64_t token, std::optional<Peer> peer);
    // Each returns false when the connection was closed (and freed).
    // server_lines.cpp: reading, cutting lines, the batch, writing.
    bool read_some(Connection& c);
    // The next line of `c`: queued for the next batch when complete (and the output is below
    // its cap); refused when too long; at end of input with no line left, closing.
    bool advance(Connection& c);
    void run_batch();
    bool flush(Connection& c);
    bool update(Connection& c);
    void queue(Connection& c, const std::string& line);
    bool hand_over(Connection& c, const Handover& to);
    void close(Connection& c);

    sd_event* event_;
    Fd listen_fd_;
    ServerLimits limits_;
    BatchHandler handler_;
    SourcePtr accept_source_;
    SourcePtr batch_source_;
    std::vector<Connection*> ready_;    // with a complete line, in arrival order (null: closed)
    std::unique_ptr<char[]> read_buf_;  // one chunk, reused by every read (no zeroing per read)
    SourcePtr accept_resume_;
    std::unordered_map<Connection*, std::unique_ptr<Connection>> conns_;
    std::unordered_map<uid_t, unsigned> per_uid_;
    std::unordered_map<std::uint64_t, Connection*> resolving_;  // by token
    std::uint64_t next_token_ = 1;
    unsigned unprivileged_ = 0;  // admitted connections of peers outside the reserve
    Privileged privileged_;
    Handover handover_;  // set by the handler for the answer it is giving
    std::unique_ptr<IdentityResolver> resolver_;
};

}  // namespace jitd::agent
