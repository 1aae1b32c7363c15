#include "agent/wire/error_code.hpp"

#include <array>
#include <utility>

namespace jitd::wire {
namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 19> kNames{{
    {ErrorCode::bad_request, "bad_request"},
    {ErrorCode::request_too_large, "request_too_large"},
    {ErrorCode::not_authorized, "not_authorized"},
    {ErrorCode::port_not_protected, "port_not_protected"},
    {ErrorCode::invalid_source, "invalid_source"},
    {ErrorCode::source_not_allowed, "source_not_allowed"},
    {ErrorCode::duration_exceeds_max, "duration_exceeds_max"},
    {ErrorCode::reason_required, "reason_required"},
    {ErrorCode::limit_reached, "limit_reached"},
    {ErrorCode::overlaps_grant, "overlaps_grant"},
    {ErrorCode::not_found, "not_found"},
    {ErrorCode::policy_invalid, "policy_invalid"},
    {ErrorCode::too_many_connections, "too_many_connections"},
    {ErrorCode::audit_unavailable, "audit_unavailable"},
    {ErrorCode::internal, "internal"},
    {ErrorCode::already_approved, "already_approved"},
    {ErrorCode::request_rejected, "request_rejected"},
    {ErrorCode::request_lapsed, "request_lapsed"},
    {ErrorCode::request_cancelled, "request_cancelled"},
}};

}  // namespace

std::string_view to_string(ErrorCode c) {
    for (const auto& [code, name] : kNames)
        if (code == c) return name;
    return "internal";
}

}  // namespace jitd::wire
