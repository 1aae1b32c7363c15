// The JSON object an approval.notify hook reads on stdin (docs/APPROVALS.md "The notify
// hook"): the pending request's wire object plus the event, its channel and this host.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "agent/daemon/pending_book.hpp"

namespace jitd::agent {

// One line of JSON, at most kMaxHookPayload bytes (a reason that would not fit is cut and
// "reason_cut" set). `extra` adds fields of the event (actor, granted, error).
std::string hook_payload(const PendingRequest& p, std::string_view event,
                         const nlohmann::json& extra, const std::string& host);

// gethostname(), "" when it fails.
std::string this_host_name();

}  // namespace jitd::agent
