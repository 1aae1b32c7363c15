// Reads jitd's audit events back from the journal (sd_journal), filtered by time, user, port.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemd/sd-journal.h>

#include "agent/wire/timefmt.hpp"

namespace jitd::client {

struct JournalCloser {
    void operator()(sd_journal* j) const { sd_journal_close(j); }
};
using JournalHandle = std::unique_ptr<sd_journal, JournalCloser>;

// One journal entry of jitd's (an entry with JITD_EVENT). Absent fields are empty.
struct AuditEvent {
    wire::SysSeconds time{};  // when the entry was written
    std::string event, user, port, protocol, source, grant_id, start, end, reason, error, message;
};

struct AuditQuery {
    wire::SysSeconds since{};
    wire::SysSeconds until{};
    std::optional<std::string> user;
    std::optional<std::uint16_t> port;
};

// The caller may not read the journal files that hold jitd's entries (exit 77).
class JournalAccessDenied : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct AuditRead {
    std::vector<AuditEvent> events;  // oldest first
    std::string unreadable;          // a journal file the caller may not read, if any
};

// Throws std::runtime_error when the journal cannot be opened, and JournalAccessDenied when
// nothing could be read because journal files are unreadable to the caller.
AuditRead read_audit_events(const AuditQuery& q);

// The first journal file (under /var/log/journal or /run/log/journal) that the caller may not
// read, or "".
std::string first_unreadable_journal_file();

}  // namespace jitd::client
