// The two-person rule from the client's side: `pending`, `approve`, `reject`, `cancel`, and
// how `open` and `list` show a pending request (agent/PROTOCOL.md "Approvals").
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/client/context.hpp"

namespace jitd::client {

int list_pending(const DaemonTarget& s, bool json, Io& io);
// `op` is "approve" or "reject"; `reason` "" for none.
int decide_request(const DaemonTarget& s, const std::string& op, const std::string& id,
                   const std::string& reason, Io& io);
int cancel_request(const DaemonTarget& s, const std::string& id, Io& io);

// "request r-… awaits approval: …" for an open's `pending` answer.
std::string pending_text(const nlohmann::json& pending, Io& io);
// The table of pending objects (`pending`, and below the grants in `list`).
std::string pending_table(const nlohmann::json& pending, Io& io);

}  // namespace jitd::client
