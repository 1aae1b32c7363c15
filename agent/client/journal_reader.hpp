// Reads jitd's audit events back from the journal (sd_journal), filtered by time, user, port.
//
// Any local process may write an entry with SYSLOG_IDENTIFIER=jitd and JITD_EVENT=grant, so
// those fields prove nothing. An entry counts as jitd's only by fields journald sets itself
// from the sender's kernel credentials (the sender cannot choose them):
//   service: _SYSTEMD_UNIT=jitd.service and _UID = the uid of the system user jitd;
//   root:    _UID=0 and _COMM=jitd, a jitd started by hand as root (tests, the demo).
// Both rules pin _UID, which journald takes from SCM_CREDENTIALS, so an account without root
// cannot satisfy either (a process may name itself jitd, but not change its uid). The
// trusted query is the equivalent of
//   journalctl _SYSTEMD_UNIT=jitd.service _UID=$(id -u jitd) + _UID=0 _COMM=jitd
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <systemd/sd-journal.h>

#include "agent/wire/timefmt.hpp"

namespace jitd::client {

struct JournalCloser {
    void operator()(sd_journal* j) const { sd_journal_close(j); }
};
using JournalHandle = std::unique_ptr<sd_journal, JournalCloser>;

// Which rule above vouches for an entry; `untrusted` for one that claims to be jitd's
// (SYSLOG_IDENTIFIER=jitd, or a JITD_EVENT of a known kind) but satisfies neither.
enum class Trust { service, root, untrusted };
const char* trust_name(Trust t);  // "service", "root", "untrusted"

// The rule for journald's fields of one entry (empty when absent). `service_uid` is the uid
// of the user jitd, none when the host has no such user (then only the root rule applies).
Trust classify_writer(std::string_view systemd_unit, std::string_view uid, std::string_view comm,
                      std::optional<uid_t> service_uid);

// The uid of the system user jitd (which jitd.service runs as), none when there is none.
std::optional<uid_t> jitd_service_uid();

// One journal entry of jitd's (an entry with JITD_EVENT), read back. Absent fields are empty.
// `reason` is the requester's justification; `cause` what ended the grant (JITD_CAUSE).
struct AuditRecord {
    wire::SysSeconds time{};  // when the entry was written
    std::string event, user, port, protocol, source, grant_id, start, end, reason, cause, error,
        message;
    Trust trust = Trust::root;
};

struct AuditQuery {
    wire::SysSeconds since{};
    wire::SysSeconds until{};
    std::optional<std::string> user;
    std::optional<std::uint16_t> port;
    std::optional<uid_t> service_uid;  // see classify_writer()
    bool include_untrusted = false;    // return untrusted entries too (else only count them)
};

// The caller may not read the journal files that hold jitd's entries (exit 77).
class JournalAccessDenied : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct AuditRead {
    std::vector<AuditRecord> events;  // oldest first
    std::size_t untrusted = 0;        // entries in the window claiming to be jitd's, but not
    std::string unreadable;           // a journal file the caller may not read, if any
};

// Throws std::runtime_error when the journal cannot be opened, and JournalAccessDenied when
// nothing could be read because journal files are unreadable to the caller.
AuditRead read_audit_events(const AuditQuery& q);

// The first journal file (under /var/log/journal or /run/log/journal) that the caller may not
// read, or "".
std::string first_unreadable_journal_file();

}  // namespace jitd::client
