#include "agent/daemon/comment.hpp"

#include <charconv>
#include <cstdint>

#include "agent/daemon/grant_id.hpp"

namespace jitd::agent {

std::string format_comment(const GrantComment& c) {
    return "jitd:" + c.id + ":" + c.user + ":" + std::to_string(c.start.time_since_epoch().count());
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
    if (!is_grant_id(id) || user.empty() || start.empty()) return std::nullopt;
    std::int64_t secs = 0;
    auto [ptr, ec] = std::from_chars(start.data(), start.data() + start.size(), secs);
    if (ec != std::errc{} || ptr != start.data() + start.size() || secs < 0) return std::nullopt;
    return GrantComment{std::string(id), std::string(user),
                        wire::SysSeconds{std::chrono::seconds{secs}}};
}

}  // namespace jitd::agent
