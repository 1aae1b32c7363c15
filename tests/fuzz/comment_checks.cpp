#include "tests/fuzz/comment_checks.hpp"

#include "agent/daemon/comment.hpp"

namespace jitd::fuzz {

std::string check_comment_input(std::string_view input) {
    const auto c = agent::parse_comment(input);
    const auto chain = agent::parse_comment_chain_start(input);
    if (!c) return chain ? "a chain start for a refused comment" : "";
    if (chain && *chain > c->start) return "the chain starts after the grant";
    const std::string again = agent::format_comment(*c, chain);
    const auto back = agent::parse_comment(again);
    if (!back) return "formatted comment refused: " + again;
    if (back->id != c->id || back->user != c->user || back->start != c->start)
        return "formatted comment reads back differently: " + again;
    if (agent::parse_comment_chain_start(again) != (chain == c->start ? std::nullopt : chain))
        return "formatted comment lost its chain start: " + again;
    return "";
}

}  // namespace jitd::fuzz
