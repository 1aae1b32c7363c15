#include "agent/daemon/server_refusal.hpp"

#include <sys/socket.h>

#include "agent/daemon/audit.hpp"

namespace jitd::agent {

std::string refuse_connection(const Peer& peer, wire::ErrorCode code, const std::string& message) {
    AuditEvent(AuditKind::deny).user(peer.user, peer.uid).deny(code, message);
    return wire::to_line(wire::error_response(code, message));
}

void send_refusal(int fd, std::string line) {
    line += '\n';
    (void)::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

std::string too_large(const Peer& peer, std::size_t max_line) {
    return refuse_connection(
        peer, wire::ErrorCode::request_too_large,
        "a request line may hold at most " + std::to_string(max_line) + " bytes");
}

}  // namespace jitd::agent
