// What the journal entries of a request say about where it came from and what it asked, for
// every op handler alike (agent/PROTOCOL.md "Journal").
#pragma once

#include <string>

#include "agent/daemon/audit.hpp"
#include "agent/daemon/origin.hpp"
#include "agent/daemon/request.hpp"
#include "agent/wire/grant.hpp"

namespace jitd::agent {

// JITD_CHANNEL and the channel's own fields: on every entry a request causes, whoever the
// entry is about (a supersede names the old grant's owner, not the requester).
void note_origin(AuditEvent& ev, const Origin& origin);
// The requester (JITD_USER/UID), note_origin, the op (when known) and what the request named;
// what the client wrote is bounded, so a refusal cannot carry 64 KiB into the journal.
void note_request(AuditEvent& ev, const Origin& origin, bool op_known, const Request& r);

// "203.0.113.7/32 tcp/22", for journal messages.
std::string describe(const wire::Grant& g);

}  // namespace jitd::agent
