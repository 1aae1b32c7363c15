#include "agent/client/exit_codes.hpp"

namespace jitd::client {

int exit_code_for_error(std::string_view code) {
    return code == "not_authorized" ? kExitNotAuthorized : kExitRefused;
}

}  // namespace jitd::client
