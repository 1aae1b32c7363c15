#include "tests/fuzz/comment_checks.hpp"

#include "agent/daemon/comment.hpp"

namespace jitd::fuzz {
namespace {

// The current format's numbers: digits, the id's lower-case hex, ':' and '-'. Its reason, and a
// legacy user name, add upper case, '.' and '_'; the reason also '~' '%' '+' '=' (never a quote
// or a control byte: `nft list ruleset` output must load back).
bool in_alphabet(std::string_view s, bool legacy) {
    const auto reason_at = legacy ? std::string_view::npos : s.find(":r");
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == ':' || c == '-';
        const bool text = legacy || (reason_at != std::string_view::npos && i > reason_at);
        if (text) ok = ok || (c >= 'A' && c <= 'Z') || c == '.' || c == '_';
        if (text && !legacy) ok = ok || c == '~' || c == '%' || c == '+' || c == '=';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::string check_comment_input(std::string_view input) {
    using namespace jitd::agent;
    auto current = parse_comment(input);
    auto chain = parse_comment_chain_start(input);
    if (chain && !current) return "a chain start for a refused comment";
    if (chain && *chain >= current->start) return "the chain does not start before the grant";
    auto legacy = parse_legacy_comment(input);
    if (current && legacy) return "both formats accepted";
    if ((current || legacy) && !claims_jitd(input)) return "accepted without the prefix";
    if (current) {
        if (format_comment(*current, chain) != input) return "current format does not print back";
        if (input.size() > kMaxComment) return "current format longer than kMaxComment";
        if (!in_alphabet(input, false)) return "current format outside its alphabet";
    }
    if (legacy) {
        std::string back = std::string(kCommentPrefix) + legacy->id + ":" + legacy->user + ":" +
                           std::to_string(legacy->start.time_since_epoch().count());
        if (back != input) return "legacy format does not print back";
        if (!in_alphabet(input, true)) return "legacy name outside the portable set";
    }
    return {};
}

}  // namespace jitd::fuzz
