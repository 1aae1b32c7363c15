#include "agent/daemon/server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "agent/daemon/server_connection.hpp"
#include "agent/daemon/server_refusal.hpp"

namespace jitd::agent {
namespace {

constexpr int kAcceptsPerWakeup = 64;

void check(int rc, const char* what) {
    if (rc < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(-rc));
}

}  // namespace

Server::Server(sd_event* event, Fd listen_fd, ServerLimits limits, BatchHandler handler)
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
    // Below the io sources: every connection readable in this turn is read before the batch.
    s = nullptr;
    check(sd_event_add_defer(event_, &s, &Server::on_batch, this), "cannot set up batching");
    batch_source_.reset(s);
    check(sd_event_source_set_priority(s, SD_EVENT_PRIORITY_NORMAL + 1), "cannot set up batching");
    check(sd_event_source_set_enabled(s, SD_EVENT_OFF), "cannot set up batching");
}

Server::Server(sd_event* event, Fd listen_fd, ServerLimits limits, Handler handler)
    : Server(
          event, std::move(listen_fd), limits,
          BatchHandler([this, handler = std::move(handler)](std::span<const BatchLine> lines) {
              std::vector<Answer> answers;
              answers.reserve(lines.size());
              for (const auto& l : lines)
                  answers.push_back({handler(*l.peer, l.line), std::exchange(handover_, nullptr)});
              return answers;
          })) {}

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

void Server::close(Connection& c) {
    if (c.token != 0) resolving_.erase(c.token);
    if (c.admitted && !c.privileged) --unprivileged_;
    auto it = per_uid_.find(c.peer.uid);
    if (it != per_uid_.end() && --it->second == 0) per_uid_.erase(it);
    if (c.queued) std::replace(ready_.begin(), ready_.end(), &c, static_cast<Connection*>(nullptr));
    conns_.erase(&c);  // frees c: callers return at once
}

}  // namespace jitd::agent
