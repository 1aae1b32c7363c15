// Building the response lines of agent/PROTOCOL.md: {"ok":true,...} or {"ok":false,"error":{...}}.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/wire/error_code.hpp"

namespace jitd::wire {

// {"ok":true}; add the op's fields to it.
nlohmann::json ok_response();
// {"ok":false,"error":{"code":"...","message":"..."}}
nlohmann::json error_response(ErrorCode code, const std::string& message);
// One protocol line (no trailing newline). Invalid UTF-8 is replaced, never thrown on.
std::string to_line(const nlohmann::json& response);

}  // namespace jitd::wire
