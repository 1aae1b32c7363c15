// Serving a connection: reading, cutting lines into the next batch, answering, writing.
// A connection has at most one line in a batch and is not read while that line waits, so its
// input stays bounded (a line and a chunk) and its answers keep their order.
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "agent/daemon/server.hpp"
#include "agent/daemon/server_connection.hpp"
#include "agent/daemon/server_refusal.hpp"

namespace jitd::agent {
namespace {

constexpr std::size_t kReadChunk = std::size_t{64} * 1024;

}  // namespace

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
    }
    if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        if (!c.closing && !c.eof && !c.queued && !read_some(c)) return;
    }
    // Output drained or input arrived: the next request may go on.
    if (!advance(c)) return;
    update(c);
}

bool Server::read_some(Connection& c) {
    if (!read_buf_) read_buf_ = std::make_unique<char[]>(kReadChunk);
    ssize_t n = ::recv(c.fd.get(), read_buf_.get(), kReadChunk, MSG_DONTWAIT);
    if (n > 0) {
        c.in.append(read_buf_.get(), static_cast<std::size_t>(n));
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
    const std::size_t last = c.in.rfind('\n');
    const std::size_t partial = last == std::string::npos ? c.in.size() : c.in.size() - last - 1;
    if (partial > 0 && partial < limits_.max_line) c.in += '\n';
    c.eof = true;
    return true;
}

bool Server::advance(Connection& c) {
    if (c.closing || c.queued) return true;
    if (c.out.size() - c.out_pos >= limits_.max_output) return true;  // until the client reads
    const std::size_t skip = std::min(c.scanned, c.in.size());
    const std::size_t nl = c.in.find('\n', skip);
    if (nl != std::string::npos) {
        const std::size_t len = nl;
        if (len + 1 <= limits_.max_line) {
            c.line = len;
            c.scanned = len;
            c.queued = true;
            ready_.push_back(&c);
            sd_event_source_set_enabled(batch_source_.get(), SD_EVENT_ONESHOT);
            return true;
        }
    } else {
        c.scanned = c.in.size();
        if (c.in.size() < limits_.max_line) {
            if (!c.eof) return true;
            c.closing = true;  // end of input, every request answered
            c.in.clear();
            return flush(c);
        }
    }
    queue(c, too_large(c.peer, limits_.max_line));
    c.closing = true;
    c.in.clear();
    c.scanned = 0;
    return flush(c);
}

int Server::on_batch(sd_event_source*, void* userdata) {
    auto& self = *static_cast<Server*>(userdata);
    try {
        self.run_batch();
    } catch (const std::exception& e) {  // never unwind into sd-event's C frames
        spdlog::error("answering a batch of requests failed: {}", e.what());
    }
    return 0;
}

void Server::run_batch() {
    std::vector<Connection*> ready = std::exchange(ready_, {});
    std::erase(ready, nullptr);
    std::vector<BatchLine> lines;
    lines.reserve(ready.size());
    for (Connection* c : ready)
        lines.push_back({&c->peer, std::string_view(c->in.data(), c->line)});
    std::vector<Answer> answers;
    try {
        answers = handler_(lines);
        if (answers.size() != lines.size()) throw std::logic_error("an answer per line expected");
    } catch (const std::exception& e) {
        spdlog::error("dropping {} connections: their requests failed: {}", ready.size(), e.what());
        for (Connection* c : ready) close(*c);
        return;
    }
    for (std::size_t i = 0; i < ready.size(); ++i) {
        Connection& c = *ready[i];
        c.queued = false;
        c.in.erase(0, c.line + 1);
        c.scanned = 0;
        queue(c, answers[i].line);
        if (answers[i].handover) {
            hand_over(c, answers[i].handover);
            continue;
        }
        if (!flush(c) || !advance(c)) continue;
        update(c);
    }
}

bool Server::hand_over(Connection& c, const Handover& to) {
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
    // Stop reading while the client does not read its answers (bounded output), and while
    // its line waits for the batch (bounded input).
    if (!c.closing && !c.eof && !c.queued && c.out.size() - c.out_pos < limits_.max_output)
        events |= EPOLLIN;
    if (events == 0) {
        if (c.queued) {  // nothing to do until the batch (not even a hang-up to look at)
            sd_event_source_set_enabled(c.io.get(), SD_EVENT_OFF);
            return true;
        }
        close(c);
        return false;
    }
    sd_event_source_set_io_events(c.io.get(), events);
    sd_event_source_set_enabled(c.io.get(), SD_EVENT_ON);
    return true;
}

}  // namespace jitd::agent
