#include "tests/fuzz/comment_checks.hpp"

#include "agent/daemon/comment.hpp"
#include "agent/daemon/pending_elements.hpp"

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
    // The rebuild's one-pass parse must agree with the two separate ones.
    auto both = parse_comment_and_chain(input);
    if (both.has_value() != current.has_value()) return "one-pass parse disagrees on acceptance";
    if (both && (both->chain_start != chain || both->comment.id != current->id ||
                 both->comment.uid != current->uid || both->comment.start != current->start ||
                 both->comment.reason != current->reason ||
                 both->comment.reason_cut != current->reason_cut))
        return "one-pass parse disagrees on a field";
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
    return check_pending_comment(input);
}

// The pending set's comments (pending_elements.hpp): what is accepted prints back the same,
// fits the kernel's 127 bytes and stays in the grant comment's alphabet (plus the CIDR's '.'
// and '/').
std::string check_pending_comment(std::string_view input) {
    using namespace jitd::agent;
    const auto request = parse_pending_comment(input);
    const auto approval = parse_approval_comment(input);
    if (request && approval) return "a request and an approval at once";
    if (request) {
        if (format_pending_comment(*request) != input) return "a request does not print back";
        if (input.size() > kMaxKernelComment) return "a request longer than 127 bytes";
        for (const char c : input)
            if (c == '"' || c == '\\' || static_cast<unsigned char>(c) <= ' ' ||
                static_cast<unsigned char>(c) >= 0x7f)
                return "a request outside the safe alphabet";
        if (request->required == 0 || request->duration.count() == 0) return "a zero accepted";
    }
    if (approval) {
        auto colon = input.rfind(':');
        const std::string back = format_approval_comment(
            {"", *approval}, wire::SysSeconds(std::chrono::seconds(
                                 std::stoll(std::string(input.substr(colon + 1))))));
        if (back != input) return "an approval does not print back";
    }
    return {};
}

}  // namespace jitd::fuzz
