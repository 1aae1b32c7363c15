// The op table itself. It names Engine's private handlers, so it is defined in a function
// Engine befriends (engine.hpp).
#include "agent/daemon/op_table.hpp"

#include <array>

#include "agent/daemon/engine.hpp"

namespace jitd::agent {
namespace {

using namespace std::string_view_literals;

constexpr std::array kOpenFields{"port"sv,     "protocol"sv, "source"sv,
                                 "duration"sv, "reason"sv,   "wait"sv};
constexpr std::array kRevokeFields{"id"sv, "kill"sv};
constexpr std::array kExtendFields{"id"sv, "duration"sv};
constexpr std::array kDecideFields{"id"sv, "reason"sv};
constexpr std::array kCancelFields{"id"sv};
constexpr std::span<const std::string_view> kNoFields{};

}  // namespace

std::span<const OpSpec> op_table() {
    // In the order of enum class Op.
    static constexpr std::array<OpSpec, 10> kOps{{
        {Op::open, "open", Role::requester, false, kOpenFields, parse_open_fields, incomplete_open,
         &Engine::op_open},
        {Op::list, "list", Role::viewer, false, kNoFields, parse_no_fields, incomplete_none,
         &Engine::op_list},
        {Op::status, "status", Role::viewer, false, kNoFields, parse_no_fields, incomplete_none,
         &Engine::op_status},
        {Op::revoke, "revoke", Role::requester, true, kRevokeFields, parse_revoke_fields,
         incomplete_revoke, &Engine::op_revoke},
        {Op::extend, "extend", Role::requester, true, kExtendFields, parse_extend_fields,
         incomplete_extend, &Engine::op_extend},
        {Op::reload, "reload", Role::admin, false, kNoFields, parse_no_fields, incomplete_none,
         &Engine::op_reload},
        // Approvals: open to every peer; the handlers judge approvers, requesters and admins.
        {Op::pending, "pending", Role::none, false, kNoFields, parse_no_fields, incomplete_none,
         &Engine::op_pending},
        {Op::approve, "approve", Role::none, false, kDecideFields, parse_decide_fields,
         incomplete_id, &Engine::op_approve},
        {Op::reject, "reject", Role::none, false, kDecideFields, parse_decide_fields, incomplete_id,
         &Engine::op_reject},
        {Op::cancel, "cancel", Role::none, false, kCancelFields, parse_cancel_fields, incomplete_id,
         &Engine::op_cancel},
    }};
    static_assert(
        [] {
            for (std::size_t i = 0; i < kOps.size(); ++i)
                if (static_cast<std::size_t>(kOps[i].op) != i) return false;
            return true;
        }(),
        "the op table must be in the order of enum class Op");
    return kOps;
}

const OpSpec& op_spec(Op op) {
    return op_table()[static_cast<std::size_t>(op)];
}

const OpSpec* op_spec_by_name(std::string_view name) {
    for (const auto& spec : op_table())
        if (spec.name == name) return &spec;
    return nullptr;
}

}  // namespace jitd::agent
