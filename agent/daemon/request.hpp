// Strict parsing of one request line (agent/PROTOCOL.md): anything unexpected is bad_request.
// Which fields an op accepts and which parser reads them is the op table's (op_table.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/daemon/authz.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

struct Request {
    Op op = Op::status;
    std::optional<std::uint16_t> port;             // open
    std::optional<config::Protocol> protocol;      // open; omitted = the port's protocol
    std::optional<std::string> source;             // open; checked by grant_rules
    std::optional<std::chrono::seconds> duration;  // open (omitted = max_duration), extend
    std::string reason;  // open: the requester's; approve, reject: the decider's. "" when none
    std::optional<std::string> id;  // revoke, extend; approve, reject, cancel
    std::optional<bool> kill;       // revoke; omitted = the policy's default
    bool wait = false;              // open: a pending answer keeps the connection for the decision
    // open from the remote channel: the id a pending request gets (derived from the signed
    // request, ssh::pending_request_id), so that the client could print it. Never from a line.
    std::optional<std::string> pending_id;
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

// The op table's field parsers: each fills `r` from `obj` and returns the bad_request
// message ("" when fine).
std::string parse_open_fields(const nlohmann::json& obj, Request& r);
std::string parse_revoke_fields(const nlohmann::json& obj, Request& r);
std::string parse_extend_fields(const nlohmann::json& obj, Request& r);
std::string parse_no_fields(const nlohmann::json& obj, Request& r);
std::string parse_decide_fields(const nlohmann::json& obj, Request& r);  // request_approval.cpp
std::string parse_cancel_fields(const nlohmann::json& obj, Request& r);

// The op table's checks for a Request a channel built without a line to parse (submit runs
// them for every request): the bad_request message for what it lacks, "" when complete.
std::string incomplete_open(const Request& r);
std::string incomplete_revoke(const Request& r);
std::string incomplete_extend(const Request& r);
std::string incomplete_none(const Request& r);
std::string incomplete_id(const Request& r);  // request_approval.cpp

}  // namespace jitd::agent
