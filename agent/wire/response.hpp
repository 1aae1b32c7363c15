// Building the response lines of agent/PROTOCOL.md: {"ok":true,...} or {"ok":false,"error":{...}}.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/wire/error_code.hpp"
#include "agent/wire/grant.hpp"

namespace jitd::wire {

// {"ok":true}; add the op's fields to it.
nlohmann::json ok_response();
// {"ok":false,"error":{"code":"...","message":"..."}}
nlohmann::json error_response(ErrorCode code, const std::string& message);
// One protocol line (no trailing newline). Invalid UTF-8 is replaced, never thrown on.
std::string to_line(const nlohmann::json& response);
// The line of a granted open, {"grant":{...},"ok":true[,"superseded":"<id>"]}, exactly as
// to_line of the same object but built without a JSON document (the hot path). `end` is the
// grant's end already formatted by format_iso8601 (the caller needs it too).
std::string grant_line(const Grant& g, std::string_view end, std::string_view superseded = {});

}  // namespace jitd::wire
