// The requester's reason inside a grant element's kernel comment (comment.hpp), so that a
// restarted daemon lists it again. The kernel keeps at most 127 bytes of comment and a reason
// may be 256 characters, so the reason gets the room the other fields leave; one that does not
// fit is kept cut at a character boundary and marked cut. The comment stays inside
// [A-Za-z0-9.:_~%+-]: a reason never brings a quote or a control byte into `nft list ruleset`
// output, so that output still loads back with `nft -f`.
//
// The field, last in the comment: ":r=<text>" (whole) or ":r~<text>" (cut), <text> being the
// UTF-8 bytes with A-Z a-z 0-9 . _ ~ - as they are, a space as '+', and any other byte as
// %XX (upper-case hex).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace jitd::agent {

inline constexpr std::string_view kReasonWhole = ":r=";
inline constexpr std::string_view kReasonCut = ":r~";
// Appended to a cut reason where it is shown (U+2026 HORIZONTAL ELLIPSIS).
inline constexpr std::string_view kCutMark = "\xe2\x80\xa6";

struct CommentReason {
    std::string text;  // printable UTF-8, no control characters
    bool cut = false;  // the requester's reason went on after `text`
};

// The field for `reason` in at most `room` bytes: "" for an empty, uncut reason; otherwise the
// longest whole-character prefix that fits, marked cut when it is not all of it (or `cut`).
// Characters the reader would refuse (control characters, broken UTF-8) are left out.
std::string format_reason_field(std::string_view reason, bool cut, std::size_t room);

// The field as format_reason_field writes it, from ":r" on; nullopt for anything else
// (another escape of the same byte, lower-case hex, a control character, broken UTF-8, an
// empty whole reason).
std::optional<CommentReason> parse_reason_field(std::string_view field);

}  // namespace jitd::agent
