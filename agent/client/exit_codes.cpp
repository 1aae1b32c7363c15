#include "agent/client/exit_codes.hpp"

namespace jitd::client {

int exit_code_for_error(std::string_view code) {
    if (code == "not_authorized") return kExitNotAuthorized;
    // Nothing wrong with the request: the daemon cannot audit it now, try again later.
    if (code == "audit_unavailable") return kExitUnavailable;
    return kExitRefused;
}

}  // namespace jitd::client
