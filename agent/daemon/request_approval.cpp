// The field parsers of the approval ops (approve, reject, cancel): an id and, for a decision,
// the decider's reason under the same rules as a requester's.
#include <nlohmann/json.hpp>

#include "agent/daemon/request.hpp"

namespace jitd::agent {
namespace {

std::string parse_id(const nlohmann::json& obj, Request& r) {
    auto it = obj.find("id");
    if (it == obj.end()) return "id is missing";
    if (!it->is_string()) return "id must be a string";
    r.id = it->get<std::string>();
    return {};
}

}  // namespace

std::string parse_decide_fields(const nlohmann::json& obj, Request& r) {
    if (auto err = parse_id(obj, r); !err.empty()) return err;
    if (auto reason = obj.find("reason"); reason != obj.end()) {
        if (!reason->is_string()) return "reason must be a string";
        r.reason = reason->get<std::string>();
        if (auto err = check_reason(r.reason); !err.empty()) return err;
    }
    return {};
}

std::string parse_cancel_fields(const nlohmann::json& obj, Request& r) {
    return parse_id(obj, r);
}

std::string incomplete_id(const Request& r) {
    if (!r.id) return "id is missing";
    return check_reason(r.reason);
}

}  // namespace jitd::agent
