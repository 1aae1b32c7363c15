// Strict parsing of one request line (agent/PROTOCOL.md): anything unexpected is bad_request.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/daemon/authz.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

struct Request {
    Op op = Op::status;
    std::optional<std::uint16_t> port;             // open
    std::optional<config::Protocol> protocol;      // open; omitted = the port's protocol
    std::optional<std::string> source;             // open; checked by grant_rules
    std::optional<std::chrono::seconds> duration;  // open, extend
    std::string reason;                            // open; "" when none
    std::optional<std::string> id;                 // revoke, extend
    std::optional<bool> kill;                      // revoke; omitted = the policy's default
};

struct RequestParse {
    bool op_known = false;  // request.op is meaningful
    Request request;        // filled as far as parsing got (for the audit of a refusal)
    std::string error;      // empty on success: the bad_request message otherwise
    explicit operator bool() const { return error.empty(); }
};

RequestParse parse_request(std::string_view line);

// At most kMaxReason printable characters (UTF-8), no control characters.
// Returns "" when fine, otherwise what is wrong.
std::string check_reason(std::string_view reason);

}  // namespace jitd::agent
