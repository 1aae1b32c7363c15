// Bounding what goes into a journal field: a client could otherwise write 64 KiB per field and
// rotate the audit trail away (issue 11, finding 2).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jitd::agent {

// A field value a client chose (an id, a source, a reason that was refused).
inline constexpr std::size_t kMaxClientValue = 64;
// Any other field, and MESSAGE: generous for policy errors and paths, still bounded.
inline constexpr std::size_t kMaxFieldValue = 1024;
// The policy's picture on start and reload (policy_summary.hpp): what the administrator wrote,
// so larger, still bounded.
inline constexpr std::size_t kMaxConfigValue = 16384;

struct BoundedValue {
    std::string text;
    bool truncated = false;  // bytes were cut off
};

// `value` with C0 controls and DEL written as \xNN, cut to at most `max` bytes (never inside an
// escape or a UTF-8 sequence).
BoundedValue bounded_value(std::string_view value, std::size_t max);

}  // namespace jitd::agent
