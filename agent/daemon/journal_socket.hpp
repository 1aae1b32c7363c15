// The audit's way into the journal: jitd's own datagram socket to journald's native socket
// (/run/systemd/journal/socket), sent without ever blocking. sd_journal_sendv() blocks on a
// full socket (a stalled journald stalls the event loop for every client until the watchdog
// kills jitd) and reports nothing useful when journald is gone; here a send either is queued in
// the kernel at once or fails at once (a full queue of a journald that is only behind gets a
// bounded wait, journal_socket.cpp kRoomWaitMs), and the caller decides (agent/PROTOCOL.md
// "Journal"): a record that opens access must be written or the change is refused, a closing record
// is best effort and counted as dropped.
//
// Why a non-blocking send and not a writer thread with a bounded queue: the kernel's socket
// queue already is a bounded queue (journald's receive queue and our send buffer), a datagram
// is either wholly queued or not at all, and the answer "written or not" is known before the
// client is answered, with no thread, no locks and nothing lost at exit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace jitd::agent {

using JournalFields = std::vector<std::pair<std::string, std::string>>;  // NAME, value

// Serialises fields in journald's native protocol: NAME=value lines, and for a value holding a
// newline the binary-safe form NAME\n<64-bit little-endian length><value>\n.
std::string journal_datagram(const JournalFields& fields);

enum class JournalSend { written, unavailable };

// Sends one entry (one datagram). `unavailable`: journald is not running (ENOENT,
// ECONNREFUSED), its queue is full (stalled: EAGAIN), or the entry is too large.
JournalSend send_to_journal(const JournalFields& fields);

// For tests without journald: every entry goes to `sink` instead (an empty one: to journald
// again).
using JournalSink = std::function<JournalSend(const JournalFields&)>;
void set_journal_sink(JournalSink sink);

// Closing records that could not be written since start (shown by `status`).
std::uint64_t journal_drops();
void count_journal_drop();

}  // namespace jitd::agent
