#include "agent/daemon/server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "agent/daemon/server_refusal.hpp"

namespace jitd::agent {
namespace {

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;
constexpr int kAcceptsPerWakeup = 64;

std::uint64_t usec(std::chrono::seconds s) {
    return static_cast<std::uint64_t>(s.count()) * 1000000u;
}

void check(int rc, const char* what) {
    if (rc < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(-rc));
}

}  // namespace

struct Server::Connection {
    Server* server = nullptr;
    Fd fd;
    Peer peer;
    SourcePtr io;
    SourcePtr idle;
    SourcePtr aged;
    std::string in;
    std::size_t scanned = 0;  // bytes of `in` known to hold no newline
    std::string out;
    std::size_t out_pos = 0;
    bool closing = false;     // no more requests: close once `out` is sent
    std::uint64_t token = 0;  // while its identity is being looked up
    bool admitted = false;    // identity known, being served
    bool privileged = false;  // root or admin: may use the reserved connections
};

Server::Server(sd_event* event, Fd listen_fd, ServerLimits limits, Handler handler)
    : event_(event),
      listen_fd_(std::move(listen_fd)),
      limits_(limits),
      handler_(std::move(handler)),
      privileged_([](const Peer& p) { return p.uid == 0; }) {
    resolver_ = std::make_unique<IdentityResolver>(
        event_, [this](std::uint64_t token, std::optional<Peer> peer) {
            on_resolved(token, std::move(peer));
        });
    sd_event_source* s = nullptr;
    check(sd_event_add_io(event_, &s, listen_fd_.get(), EPOLLIN, &Server::on_accept, this),
          "cannot watch the listening socket");
    accept_source_.reset(s);
}

Server::~Server() {
    resolver_.reset();  // no identity arrives for a connection being freed
    conns_.clear();     // sources first (they point at connections), then the listener
}

int Server::on_accept(sd_event_source*, int, uint32_t, void* userdata) {
    try {
        static_cast<Server*>(userdata)->accept_some();
    } catch (const std::exception& e) {
        spdlog::error("accepting a connection failed: {}", e.what());
    }
    return 0;
}

int Server::on_accept_resume(sd_event_source*, uint64_t, void* userdata) {
    auto* self = static_cast<Server*>(userdata);
    sd_event_source_set_enabled(self->accept_source_.get(), SD_EVENT_ON);
    return 0;
}

void Server::accept_some() {
    for (int i = 0; i < kAcceptsPerWakeup; ++i) {
        Fd fd(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd) {
            open_connection(std::move(fd));
            continue;
        }
        if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) return;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            // Out of descriptors: pause accepting briefly instead of spinning on the listener.
            spdlog::warn("cannot accept a connection: {}; pausing for 100ms", std::strerror(errno));
            sd_event_source_set_enabled(accept_source_.get(), SD_EVENT_OFF);
            sd_event_source* s = nullptr;
            if (sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, 100000, 0,
                                           &Server::on_accept_resume, this) >= 0)
                accept_resume_.reset(s);
            else
                sd_event_source_set_enabled(accept_source_.get(), SD_EVENT_ON);
            return;
        }
        spdlog::warn("accept failed: {}", std::strerror(errno));
        return;
    }
}

void Server::open_connection(Fd fd) {
    auto creds = kernel_credentials(fd.get());
    if (!creds) {
        spdlog::warn("dropping a connection whose peer credentials are unknown");
        return;
    }
    // Until the user database answers, the peer is its uid (a refusal names it so).
    std::optional<Peer> known = resolver_->cached(*creds);
    Peer peer;
    if (known) {
        peer = *known;
    } else {
        peer.uid = creds->uid;
        peer.gid = creds->gid;
        peer.pid = creds->pid;
        peer.user = std::to_string(creds->uid);
    }
    if (conns_.size() >= limits_.max_connections) {
        send_refusal(fd.get(), refuse_connection(peer, wire::ErrorCode::too_many_connections,
                                                 "jitd already holds " +
                                                     std::to_string(limits_.max_connections) +
                                                     " connections"));
        spdlog::warn("refused a connection of uid {}: the global connection cap is reached",
                     creds->uid);
        return;
    }
    unsigned& held = per_uid_[peer.uid];
    if (held >= limits_.max_connections_per_uid) {
        if (held == 0) per_uid_.erase(peer.uid);
        send_refusal(fd.get(),
                     refuse_connection(peer, wire::ErrorCode::too_many_connections,
                                       "uid " + std::to_string(peer.uid) + " already holds " +
                                           std::to_string(limits_.max_connections_per_uid) +
                                           " connections"));
        spdlog::warn("refused a connection of {} (uid {}): too many connections", peer.user,
                     peer.uid);
        return;
    }
    auto conn = std::make_unique<Connection>();
    Connection& c = *conn;
    c.server = this;
    c.peer = std::move(peer);
    c.fd = std::move(fd);
    ++held;
    conns_.emplace(&c, std::move(conn));
    if (known) {
        admit(c, std::move(known));
        return;
    }
    // Nothing is read from the connection until its identity is known: the request waits.
    c.token = next_token_++;
    resolving_.emplace(c.token, &c);
    try {
        resolver_->resolve(c.token, c.fd.get(), *creds);
    } catch (const std::exception& e) {
        spdlog::warn("cannot look up the peer of a connection: {}", e.what());
        close(c);
    }
}

void Server::on_resolved(std::uint64_t token, std::optional<Peer> peer) {
    auto it = resolving_.find(token);
    if (it == resolving_.end()) return;  // closed meanwhile
    Connection& c = *it->second;
    resolving_.erase(it);
    c.token = 0;
    admit(c, std::move(peer));
}

void Server::admit(Connection& c, std::optional<Peer> peer) {
    if (!peer) {
        spdlog::warn("dropping a connection whose peer credentials are unknown");
        close(c);
        return;
    }
    c.peer = std::move(*peer);
    c.privileged = c.peer.uid == 0 || (privileged_ && privileged_(c.peer));
    const unsigned reserve = reserve_of(limits_.max_connections);
    const unsigned open_to_all =
        limits_.max_connections > reserve ? limits_.max_connections - reserve : 0;
    if (!c.privileged && unprivileged_ >= open_to_all) {
        send_refusal(c.fd.get(),
                     refuse_connection(c.peer, wire::ErrorCode::too_many_connections,
                                       "jitd already holds " + std::to_string(open_to_all) +
                                           " connections; the last " + std::to_string(reserve) +
                                           " are kept for root and admins"));
        spdlog::warn("refused a connection of {} (uid {}): the connection cap is reached",
                     c.peer.user, c.peer.uid);
        close(c);
        return;
    }
    c.admitted = true;
    if (!c.privileged) ++unprivileged_;
    sd_event_source* s = nullptr;
    if (sd_event_add_io(event_, &s, c.fd.get(), EPOLLIN, &Server::on_io, &c) < 0) {
        spdlog::warn("cannot watch a new connection");
        close(c);
        return;
    }
    c.io.reset(s);
    s = nullptr;
    if (sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, usec(limits_.idle_timeout), 0,
                                   &Server::on_idle, &c) < 0) {
        spdlog::warn("cannot arm the idle timer of a new connection");
        close(c);
        return;
    }
    c.idle.reset(s);
    s = nullptr;
    if (sd_event_add_time_relative(event_, &s, CLOCK_MONOTONIC, usec(limits_.max_age), 0,
                                   &Server::on_aged, &c) < 0) {
        spdlog::warn("cannot arm the age timer of a new connection");
        close(c);
        return;
    }
    c.aged.reset(s);
}

int Server::on_idle(sd_event_source*, uint64_t, void* userdata) {
    auto& c = *static_cast<Connection*>(userdata);
    spdlog::debug("closing the idle connection of {}", c.peer.user);
    c.server->close(c);
    return 0;
}

int Server::on_aged(sd_event_source*, uint64_t, void* userdata) {
    auto& c = *static_cast<Connection*>(userdata);
    spdlog::debug("closing the connection of {}: it reached its maximum age", c.peer.user);
    c.server->close(c);
    return 0;
}

std::vector<Peer> Server::peers() const {
    std::vector<Peer> out;
    out.reserve(conns_.size());
    for (const auto& [c, conn] : conns_) out.push_back(conn->peer);
    return out;
}

int Server::on_io(sd_event_source*, int, uint32_t revents, void* userdata) {
    auto& c = *static_cast<Connection*>(userdata);
    Server& self = *c.server;
    try {
        self.serve(c, revents);
    } catch (const std::exception& e) {    // never unwind into sd-event's C frames
        if (self.conns_.count(&c) != 0) {  // unless it was closed before the throw
            spdlog::error("dropping the connection of {}: {}", c.peer.user, e.what());
            self.close(c);
        }
    }
    return 0;
}

void Server::serve(Connection& c, uint32_t revents) {
    if (revents & EPOLLOUT) {
        if (!flush(c)) return;
        // Output drained: requests that waited in `in` may go on.
        if (!process_lines(c)) return;
    }
    if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        if (!c.closing && !read_some(c)) return;
        if (!process_lines(c)) return;
    }
    update(c);
}

bool Server::read_some(Connection& c) {
    std::size_t old = c.in.size();
    c.in.resize(old + kReadChunk);
    ssize_t n = ::recv(c.fd.get(), c.in.data() + old, kReadChunk, MSG_DONTWAIT);
    c.in.resize(old + static_cast<std::size_t>(n > 0 ? n : 0));
    if (n > 0) {
        sd_event_source_set_time_relative(c.idle.get(), usec(limits_.idle_timeout));
        sd_event_source_set_enabled(c.idle.get(), SD_EVENT_ONESHOT);
        return true;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n < 0) {
        close(c);
        return false;
    }
    // End of input: a last request without its newline is still a request.
    if (c.in.size() > 0 && c.in.size() < limits_.max_line) c.in += '\n';
    if (!process_lines(c)) return false;
    c.closing = true;
    c.in.clear();
    return true;
}

bool Server::process_lines(Connection& c) {
    std::size_t pos = 0;
    while (!c.closing && c.out.size() - c.out_pos < limits_.max_output) {
        const char* start = c.in.data() + pos;
        std::size_t avail = c.in.size() - pos;
        std::size_t skip = c.scanned > pos ? c.scanned - pos : 0;
        const void* nl = avail > skip ? std::memchr(start + skip, '\n', avail - skip) : nullptr;
        if (nl == nullptr) {
            c.scanned = c.in.size();
            if (avail >= limits_.max_line) {
                queue(c, too_large(c.peer, limits_.max_line));
                c.closing = true;
                pos = c.in.size();
            }
            break;
        }
        std::size_t len = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
        if (len + 1 > limits_.max_line) {
            queue(c, too_large(c.peer, limits_.max_line));
            c.closing = true;
            pos = c.in.size();
            break;
        }
        std::string_view line(start, len);
        pos += len + 1;
        queue(c, handler_(c.peer, line));
        if (handover_) return hand_over(c);
    }
    c.in.erase(0, pos);
    c.scanned = c.scanned > pos ? c.scanned - pos : 0;
    return flush(c);
}

bool Server::hand_over(Connection& c) {
    Handover to = std::exchange(handover_, nullptr);
    c.in.clear();  // a waiting client sends nothing more
    if (!flush(c)) return false;
    if (c.out_pos < c.out.size()) {  // it does not even read its answer: it cannot wait
        close(c);
        return false;
    }
    Fd fd = std::move(c.fd);
    const Peer peer = c.peer;
    close(c);
    to(std::move(fd), peer);
    return false;
}

void Server::queue(Connection& c, const std::string& line) {
    if (c.out_pos == c.out.size()) {
        c.out.clear();
        c.out_pos = 0;
    }
    c.out += line;
    c.out += '\n';
}

bool Server::flush(Connection& c) {
    while (c.out_pos < c.out.size()) {
        ssize_t n = ::send(c.fd.get(), c.out.data() + c.out_pos, c.out.size() - c.out_pos,
                           MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            c.out_pos += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return true;
        close(c);  // the peer is gone
        return false;
    }
    c.out.clear();
    c.out_pos = 0;
    if (c.closing) {
        close(c);
        return false;
    }
    return true;
}

bool Server::update(Connection& c) {
    bool pending = c.out_pos < c.out.size();
    uint32_t events = 0;
    if (pending) events |= EPOLLOUT;
    // Stop reading while the client does not read its answers (bounded output).
    if (!c.closing && c.out.size() - c.out_pos < limits_.max_output) events |= EPOLLIN;
    if (events == 0) {
        close(c);
        return false;
    }
    sd_event_source_set_io_events(c.io.get(), events);
    return true;
}

void Server::close(Connection& c) {
    if (c.token != 0) resolving_.erase(c.token);
    if (c.admitted && !c.privileged) --unprivileged_;
    auto it = per_uid_.find(c.peer.uid);
    if (it != per_uid_.end() && --it->second == 0) per_uid_.erase(it);
    conns_.erase(&c);  // frees c: callers return at once
}

}  // namespace jitd::agent
