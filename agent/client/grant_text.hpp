// How grants and the daemon's status look to people.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/wire/grant.hpp"

namespace jitd::client {

// "22/tcp"
std::string port_text(const wire::Grant& g);
// The source as people write it: hosts without their length ("203.0.113.7").
std::string source_text(const std::string& source);
// ID USER PORT SOURCE ENDS REASON, one row per grant.
std::string grants_table(const std::vector<wire::Grant>& grants, wire::SysSeconds now);
// The status answer as a few lines and a table of ports. Throws nlohmann::json::exception on
// a malformed answer.
std::string status_text(const nlohmann::json& status);

}  // namespace jitd::client
