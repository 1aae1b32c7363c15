// Owning handles for the libmnl objects of sessions/.
#pragma once

#include <libmnl/libmnl.h>

#include <memory>

namespace jitd::sessions::handles {

struct CloseSocket {
    void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
using Socket = std::unique_ptr<mnl_socket, CloseSocket>;

}  // namespace jitd::sessions::handles
