#include "agent/daemon/decision_waiters.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include "agent/wire/response.hpp"

namespace jitd::agent {
namespace {

// The decision is one short line into a socket whose buffer holds nothing else: it fits, and
// a client that no longer reads loses only its own answer.
void send_line(int fd, std::string line) {
    line += '\n';
    (void)::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

DecisionWaiters::DecisionWaiters(sd_event* event, std::size_t max) : event_(event), max_(max) {}

DecisionWaiters::~DecisionWaiters() = default;

void DecisionWaiters::add(const std::string& id, Fd fd, const Peer& peer) {
    if (waiting_.size() >= max_) {
        spdlog::warn("{} (uid {}) cannot wait for {}: {} clients already wait", peer.user, peer.uid,
                     id, max_);
        send_line(fd.get(), wire::to_line(wire::error_response(
                                wire::ErrorCode::too_many_connections,
                                "jitd already holds " + std::to_string(max_) +
                                    " clients waiting for decisions; request " + id +
                                    " stays pending (see jit-request pending)")));
        return;
    }
    auto w = std::make_unique<Waiter>();
    w->self = this;
    w->id = id;
    w->fd = std::move(fd);
    sd_event_source* s = nullptr;
    // EPOLLRDHUP: the client closing its end is seen even though nothing is read.
    if (sd_event_add_io(event_, &s, w->fd.get(), EPOLLIN | EPOLLRDHUP, &DecisionWaiters::on_io,
                        w.get()) < 0) {
        spdlog::warn("cannot watch the connection waiting for {}", id);
        return;
    }
    w->io.reset(s);
    waiting_.emplace(id, std::move(w));
}

int DecisionWaiters::on_io(sd_event_source*, int, uint32_t, void* userdata) {
    // A waiting client has nothing more to say: whatever arrives (data, hangup) ends its wait.
    auto& w = *static_cast<Waiter*>(userdata);
    spdlog::debug("a client stopped waiting for {}", w.id);
    w.self->drop(w);
    return 0;
}

void DecisionWaiters::drop(Waiter& w) {
    auto [first, last] = waiting_.equal_range(w.id);
    for (auto it = first; it != last; ++it) {
        if (it->second.get() == &w) {
            waiting_.erase(it);  // frees w
            return;
        }
    }
}

void DecisionWaiters::decided(const std::string& id, const nlohmann::json& answer) {
    auto [first, last] = waiting_.equal_range(id);
    if (first == last) return;
    const std::string line = wire::to_line(answer);
    for (auto it = first; it != last; ++it) send_line(it->second->fd.get(), line);
    waiting_.erase(first, last);
}

}  // namespace jitd::agent
