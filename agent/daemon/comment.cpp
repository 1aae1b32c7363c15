#include "agent/daemon/comment.hpp"

#include <charconv>
#include <cstdint>

#include "agent/daemon/grant_id.hpp"

namespace jitd::agent {

namespace {

// The optional trailing ":<chain start>" of `start_field` (what follows the user): splits it
// off; false when it is there but not digits.
bool split_chain(std::string_view& start_field, std::optional<std::int64_t>& chain) {
    const auto colon = start_field.find(':');
    if (colon == std::string_view::npos) return true;
    const std::string_view text = start_field.substr(colon + 1);
    start_field = start_field.substr(0, colon);
    std::int64_t secs = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), secs);
    if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || secs < 0)
        return false;
    chain = secs;
    return true;
}

}  // namespace

std::string format_comment(const GrantComment& c, std::optional<wire::SysSeconds> chain_start) {
    std::string out =
        "jitd:" + c.id + ":" + c.user + ":" + std::to_string(c.start.time_since_epoch().count());
    if (chain_start && *chain_start != c.start)
        out += ":" + std::to_string(chain_start->time_since_epoch().count());
    return out;
}

std::optional<wire::SysSeconds> parse_comment_chain_start(std::string_view text) {
    if (!parse_comment(text)) return std::nullopt;
    std::string_view rest = text.substr(text.find(':', text.find(':', 5) + 1) + 1);
    std::optional<std::int64_t> chain;
    split_chain(rest, chain);
    if (!chain) return std::nullopt;
    return wire::SysSeconds{std::chrono::seconds{*chain}};
}

std::optional<GrantComment> parse_comment(std::string_view text) {
    constexpr std::string_view kPrefix = "jitd:";
    if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    text.remove_prefix(kPrefix.size());
    auto c1 = text.find(':');
    if (c1 == std::string_view::npos) return std::nullopt;
    auto c2 = text.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return std::nullopt;
    std::string_view id = text.substr(0, c1);
    std::string_view user = text.substr(c1 + 1, c2 - c1 - 1);
    std::string_view start = text.substr(c2 + 1);
    std::optional<std::int64_t> chain;
    if (!split_chain(start, chain)) return std::nullopt;
    if (!is_grant_id(id) || user.empty() || start.empty()) return std::nullopt;
    std::int64_t secs = 0;
    auto [ptr, ec] = std::from_chars(start.data(), start.data() + start.size(), secs);
    if (ec != std::errc{} || ptr != start.data() + start.size() || secs < 0) return std::nullopt;
    if (chain && *chain > secs) return std::nullopt;  // a chain cannot start after its grant
    return GrantComment{std::string(id), std::string(user),
                        wire::SysSeconds{std::chrono::seconds{secs}}};
}

}  // namespace jitd::agent
