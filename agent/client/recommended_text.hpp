// The "recommended" part of `status`: listening management ports the policy does not protect.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace jitd::client {

// "" when the status names none (or comes from a daemon without the field), else a heading and
// one line per port with the policy line that would protect it.
std::string recommended_text(const nlohmann::json& status);

}  // namespace jitd::client
