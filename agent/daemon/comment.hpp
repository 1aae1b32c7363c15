// The kernel comment each grant element carries: "jitd:<id>:<user>:<start unix seconds>".
// It is all a restarted daemon needs to rebuild its grant list.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "agent/wire/timefmt.hpp"

namespace jitd::agent {

struct GrantComment {
    std::string id;
    std::string user;
    wire::SysSeconds start{};
};

std::string format_comment(const GrantComment& c);
// nullopt for anything that is not exactly our format (foreign or damaged elements).
std::optional<GrantComment> parse_comment(std::string_view text);

}  // namespace jitd::agent
