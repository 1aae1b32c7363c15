// The listening Unix socket: handed over by systemd, or bound at a path.
#pragma once

#include <stdexcept>
#include <string>

#include "agent/daemon/handles.hpp"

namespace jitd::agent {

// Another daemon answers on the path, or the socket cannot be made; what() says which.
class ListenError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The socket systemd passed (sd_listen_fds), or an invalid Fd when there is none.
Fd activated_socket();

// Binds and listens on `path`, mode 0666 (authorization is by peer credentials). Creates the
// parent directory (0755) if missing. A stale socket file (connecting is refused) is replaced;
// a live one (a daemon answers) is a ListenError.
Fd bind_socket(const std::string& path);

}  // namespace jitd::agent
