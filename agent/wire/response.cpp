#include "agent/wire/response.hpp"

namespace jitd::wire {

nlohmann::json ok_response() {
    return {{"ok", true}};
}

nlohmann::json error_response(ErrorCode code, const std::string& message) {
    return {{"ok", false},
            {"error", {{"code", std::string(to_string(code))}, {"message", message}}}};
}

std::string to_line(const nlohmann::json& response) {
    return response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace jitd::wire
