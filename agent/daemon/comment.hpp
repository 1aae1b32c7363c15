// The kernel comment each grant element carries: "jitd:<id>:<uid>:<start unix seconds>", e.g.
// "jitd:g-5f2c9a01b2c3:1001:1763900000". It is all a restarted daemon needs to rebuild its grant
// list. Besides jitd's own id and numbers it holds only the requester's reason, encoded into a
// safe alphabet (comment_reason.hpp): no text from NSS or the policy reaches the kernel, and
// `nft list ruleset` output always loads back with `nft -f`.
// A grant that superseded another carries one more field, ":<chain start unix seconds>": the
// start of the first grant of its chain, which the port's max_total_duration counts from.
// A grant with a reason ends in ":r=<reason>" (":r~<reason>" when it was cut to fit).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/daemon/comment_reason.hpp"
#include "agent/wire/timefmt.hpp"

namespace jitd::agent {

inline constexpr std::string_view kCommentPrefix = "jitd:";
// nft's comment limit (NFTNL_UDATA_COMMENT_MAXLEN = 128, with the NUL).
inline constexpr std::size_t kMaxKernelComment = 127;
// The longest numeric part: prefix, id, a 10-digit uid, a 19-digit start and a 19-digit chain
// start.
inline constexpr std::size_t kMaxNumericComment =
    kCommentPrefix.size() + 14 + 1 + 10 + 1 + 19 + 1 + 19;
// The longest comment format_comment writes: the reason takes what the numbers leave, but
// never the last 21 bytes, kept for one more numeric field.
inline constexpr std::size_t kMaxComment = kMaxKernelComment - 21;
static_assert(kMaxNumericComment + kReasonWhole.size() + std::size_t{4} * 3 <= kMaxComment,
              "room for at least one character of reason");

struct GrantComment {
    std::string id;
    uid_t uid = 0;
    wire::SysSeconds start{};
    std::string reason{};     // the requester's; "" for none (an initializer: may be left out)
    bool reason_cut = false;  // `reason` is the start of a longer one
};

// What the previous release wrote: "jitd:<id>:<user name>:<start>". Read on upgrade only.
struct LegacyComment {
    std::string id;
    std::string user;
    wire::SysSeconds start{};
};

// `chain_start` is written only when given and earlier than c.start. The reason gets the room
// left up to kMaxComment; one that does not fit is written cut (comment_reason.hpp).
std::string format_comment(const GrantComment& c,
                           std::optional<wire::SysSeconds> chain_start = std::nullopt);
// nullopt for anything that is not exactly our format: "jitd:", a grant id, a decimal uid, a
// decimal start and optionally a decimal chain start before it (no sign, no leading zeros, in
// range), optionally a reason exactly as format_comment writes it, nothing more.
std::optional<GrantComment> parse_comment(std::string_view text);
struct ParsedComment {
    GrantComment comment;
    std::optional<wire::SysSeconds> chain_start;
};
// Both in one pass (a rebuild reads every element's comment).
std::optional<ParsedComment> parse_comment_and_chain(std::string_view text);
// The chain start of a comment parse_comment accepts; nullopt when it has none.
std::optional<wire::SysSeconds> parse_comment_chain_start(std::string_view text);
// The previous release's format, only for a user name over the portable character set
// [A-Za-z0-9._-] (not starting with '-'); nullopt otherwise, and for the current format.
std::optional<LegacyComment> parse_legacy_comment(std::string_view text);
// Whether the text claims to be jitd's (the prefix): such an element that does not parse is
// ours and damaged, anything else is not ours to remove.
bool claims_jitd(std::string_view text);
// A canonical decimal as the kernel comments and pending elements write numbers: digits only,
// no leading zero (except "0"), at most `max`.
std::optional<std::uint64_t> canonical_decimal(std::string_view s, std::uint64_t max);

}  // namespace jitd::agent
