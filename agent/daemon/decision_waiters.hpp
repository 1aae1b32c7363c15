// The connections of clients waiting for the decision on their pending request (`jit-request
// open --wait`). The server hands a connection over once its `pending` answer is sent; here it
// is only watched for the client going away (anything it sends or a hangup drops it) until the
// engine reports the decision, which is written as one more line before the socket is closed.
// Bounded in number: beyond the limit a client gets a refusal line at once (the request stays
// pending).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "agent/daemon/handles.hpp"
#include "agent/daemon/peer.hpp"

namespace jitd::agent {

class DecisionWaiters {
  public:
    static constexpr std::size_t kDefaultMax = 256;

    DecisionWaiters(sd_event* event, std::size_t max = kDefaultMax);
    DecisionWaiters(const DecisionWaiters&) = delete;
    DecisionWaiters& operator=(const DecisionWaiters&) = delete;
    ~DecisionWaiters();

    // Keeps `fd` (whose pending answer is sent) until request `id` is decided.
    void add(const std::string& id, Fd fd, const Peer& peer);
    // Writes `answer` to every client waiting for `id` and closes their connections.
    void decided(const std::string& id, const nlohmann::json& answer);
    std::size_t size() const { return waiting_.size(); }

  private:
    struct Waiter {
        DecisionWaiters* self = nullptr;
        std::string id;
        Fd fd;
        SourcePtr io;
    };
    static int on_io(sd_event_source* s, int fd, uint32_t revents, void* userdata);
    void drop(Waiter& w);

    sd_event* event_;
    std::size_t max_;
    std::multimap<std::string, std::unique_ptr<Waiter>> waiting_;  // by request id
};

}  // namespace jitd::agent
