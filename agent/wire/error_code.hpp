// The stable error codes of the socket protocol (agent/PROTOCOL.md).
#pragma once

#include <optional>
#include <string_view>

namespace jitd::wire {

enum class ErrorCode {
    bad_request,
    request_too_large,
    not_authorized,
    port_not_protected,
    invalid_source,
    source_not_allowed,
    duration_exceeds_max,
    reason_required,
    limit_reached,
    overlaps_grant,
    not_found,
    policy_invalid,
    too_many_connections,
    audit_unavailable,
    internal,
    already_approved,
    request_rejected,
    request_lapsed,
    request_cancelled,
};

std::string_view to_string(ErrorCode c);

}  // namespace jitd::wire
