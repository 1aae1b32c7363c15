// The journal summary of remote datagrams dropped before any decision (forged, garbled, for
// another port, a signed request's sibling): never one entry per datagram, which would let
// anyone who can send UDP to the host flood the journal, but one `dropped` entry per summary
// interval while they arrive, with the total and a count per cause (agent/PROTOCOL.md "Journal").
#pragma once

#include <string>
#include <string_view>

#include "agent/daemon/remote_channel.hpp"
#include "agent/wire/timefmt.hpp"

namespace jitd::agent {

// "no_key_matched" -> "JITD_DROPPED_NO_KEY_MATCHED" (journal field names are upper case).
std::string dropped_cause_field(std::string_view cause);

// Journals one summary of `counts` (nothing when they are all zero) for the window
// [start, end]. Never blocks; false when the journal could not take it (the caller keeps the
// counts for the next summary).
bool journal_remote_drops(const RemoteCounters& counts, wire::SysSeconds start,
                          wire::SysSeconds end);

}  // namespace jitd::agent
