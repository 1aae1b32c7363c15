// The kernel comment each grant element carries: "jitd:<id>:<user>:<start unix seconds>".
// It is all a restarted daemon needs to rebuild its grant list. A grant that superseded another
// carries one more field, ":<chain start unix seconds>": the start of the first grant of its
// chain, which the port's max_total_duration counts from.
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

// `chain_start` is written only when given and different from c.start.
std::string format_comment(const GrantComment& c,
                           std::optional<wire::SysSeconds> chain_start = std::nullopt);
// nullopt for anything that is not exactly our format (foreign or damaged elements).
std::optional<GrantComment> parse_comment(std::string_view text);
// The chain start of a comment parse_comment accepts; nullopt when it has none.
std::optional<wire::SysSeconds> parse_comment_chain_start(std::string_view text);

}  // namespace jitd::agent
