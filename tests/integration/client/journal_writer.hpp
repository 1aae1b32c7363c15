// Writes one journal entry from a forked child with a chosen process name and, optionally,
// as a test user: how jitd (a root process named jitd) writes, and how a forger would.
// journald takes _UID from the sender's kernel credentials and reads _COMM from /proc when
// it handles the datagram, so the child stays alive until the entry is in the journal.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tests/support/users.hpp"

namespace jitd::test {

// Sends `fields` ("NAME=value", any bytes) from a child named `comm` (prctl PR_SET_NAME),
// running as `as` when given (setgroups, setgid, setuid), else as the test (root). Waits until
// journald has stored the entry and returns journald's fields of the sender (_UID, _COMM) and
// the entry's time (__REALTIME_TIMESTAMP, microseconds since the epoch).
// Throws std::runtime_error when the send fails or the entry does not appear.
std::map<std::string, std::string> journal_send_from(const std::vector<std::string>& fields,
                                                     const std::string& comm,
                                                     const TestUser* as = nullptr);

// Polls the journal for an entry with the field `match` ("NAME=value"); journald's fields of
// its sender and its time as above, or an empty map when none appeared in 10 s.
std::map<std::string, std::string> wait_for_journal_entry(const std::string& match);

}  // namespace jitd::test
