#include "agent/daemon/comment.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

#include "agent/daemon/grant_id.hpp"

namespace jitd::agent {
namespace {

std::optional<wire::SysSeconds> start_of(std::string_view s) {
    auto v =
        canonical_decimal(s, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    if (!v) return std::nullopt;
    return wire::SysSeconds{std::chrono::seconds{static_cast<std::int64_t>(*v)}};
}

bool portable_name(std::string_view s) {
    if (s.empty() || s[0] == '-') return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// The fields after the uid: "<start>" or "<start>:<chain start>", the chain strictly earlier.
struct Starts {
    wire::SysSeconds start;
    std::optional<wire::SysSeconds> chain;
};

std::optional<Starts> starts_of(std::string_view s) {
    const auto colon = s.find(':');
    auto start = start_of(s.substr(0, colon));
    if (!start) return std::nullopt;
    if (colon == std::string_view::npos) return Starts{*start, std::nullopt};
    auto chain = start_of(s.substr(colon + 1));  // a further ':' makes it not a number
    if (!chain || *chain >= *start) return std::nullopt;
    return Starts{*start, chain};
}

std::optional<ParsedComment> parse(std::string_view text) {
    if (!claims_jitd(text) || text.size() > kMaxComment) return std::nullopt;
    text.remove_prefix(kCommentPrefix.size());
    auto c1 = text.find(':');
    if (c1 == std::string_view::npos) return std::nullopt;
    auto c2 = text.find(':', c1 + 1);
    if (c2 == std::string_view::npos) return std::nullopt;
    std::string_view id = text.substr(0, c1);
    std::string_view uid = text.substr(c1 + 1, c2 - c1 - 1);
    if (!is_grant_id(id)) return std::nullopt;
    // uid_t is 32 bits; (uid_t)-1 is "no uid" to the kernel and never a user.
    auto u = canonical_decimal(uid, std::numeric_limits<uid_t>::max() - 1u);
    std::string_view rest = text.substr(c2 + 1);
    // The numbers hold no letter: the first ":r" begins the reason.
    const auto reason_at = rest.find(":r");
    auto s = starts_of(rest.substr(0, reason_at));
    if (!u || !s) return std::nullopt;
    ParsedComment out{GrantComment{std::string(id), static_cast<uid_t>(*u), s->start, {}, false},
                      s->chain};
    if (reason_at != std::string_view::npos) {
        auto reason = parse_reason_field(rest.substr(reason_at));
        if (!reason) return std::nullopt;
        out.comment.reason = std::move(reason->text);
        out.comment.reason_cut = reason->cut;
    }
    return out;
}

}  // namespace

std::optional<std::uint64_t> canonical_decimal(std::string_view s, std::uint64_t max) {
    if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

std::string format_comment(const GrantComment& c, std::optional<wire::SysSeconds> chain_start) {
    std::string out = std::string(kCommentPrefix) + c.id + ":" + std::to_string(c.uid) + ":" +
                      std::to_string(c.start.time_since_epoch().count());
    if (chain_start && *chain_start < c.start)
        out += ":" + std::to_string(chain_start->time_since_epoch().count());
    if (out.size() < kMaxComment)
        out += format_reason_field(c.reason, c.reason_cut, kMaxComment - out.size());
    return out;
}

bool claims_jitd(std::string_view text) {
    return text.substr(0, kCommentPrefix.size()) == kCommentPrefix;
}

std::optional<wire::SysSeconds> parse_comment_chain_start(std::string_view text) {
    auto p = parse(text);
    return p ? p->chain_start : std::nullopt;
}

std::optional<ParsedComment> parse_comment_and_chain(std::string_view text) {
    return parse(text);
}

std::optional<GrantComment> parse_comment(std::string_view text) {
    auto p = parse(text);
    if (!p) return std::nullopt;
    return std::move(p->comment);
}

std::optional<LegacyComment> parse_legacy_comment(std::string_view text) {
    if (!claims_jitd(text) || text.size() > kMaxKernelComment || parse_comment(text))
        return std::nullopt;
    text.remove_prefix(kCommentPrefix.size());
    auto first = text.find(':');
    auto last = text.rfind(':');
    if (first == std::string_view::npos || last == first) return std::nullopt;
    std::string_view id = text.substr(0, first);
    std::string_view user = text.substr(first + 1, last - first - 1);
    auto s = start_of(text.substr(last + 1));
    if (!is_grant_id(id) || !portable_name(user) || !s) return std::nullopt;
    return LegacyComment{std::string(id), std::string(user), *s};
}

}  // namespace jitd::agent
