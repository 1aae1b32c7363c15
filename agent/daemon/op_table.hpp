// The ops of the protocol, one entry each: wire name, the role it needs, whether a requester may
// touch only their own grants, the fields it accepts, the parser of those fields, what a
// request must hold, and the Engine's handler. parse_request, may_run/may_touch and Engine::submit
// read only this table (agent/PROTOCOL.md's request table lists the same;
// tests/unit/agent/op_table_test.cpp compares them).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/daemon/authz.hpp"
#include "agent/daemon/origin.hpp"
#include "agent/daemon/request.hpp"

namespace jitd::agent {

class Engine;

// What a handler gets: who asked through which channel (for its journal entries), the role
// the policy gives them, and the parsed request. The own-grants rule has been applied.
struct OpCall {
    const Origin& origin;
    Role role;
    const Request& request;
};

// Fills `out` from the request object (its fields already checked against OpSpec::fields);
// returns the bad_request message, or "" when fine.
using FieldParser = std::string (*)(const nlohmann::json& obj, Request& out);
// What a Request of the op must hold, whichever channel built it: the bad_request message, or
// "" when complete.
using RequestCheck = std::string (*)(const Request& r);
using OpHandler = nlohmann::json (Engine::*)(const OpCall& call);

struct OpSpec {
    Op op;
    std::string_view name;  // the wire name
    Role needed;
    bool own_grants_only;  // below admin, only grants the peer owns (the request's `id`)
    std::span<const std::string_view> fields;  // accepted besides "op"; others: bad_request
    FieldParser parse;
    RequestCheck incomplete;
    OpHandler handle;
};

// Indexed by Op: op_table()[static_cast<size_t>(op)].op == op.
std::span<const OpSpec> op_table();
const OpSpec& op_spec(Op op);
// nullptr for an unknown name.
const OpSpec* op_spec_by_name(std::string_view name);

}  // namespace jitd::agent
