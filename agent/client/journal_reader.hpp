// Reads jitd's audit events back from the journal (sd_journal), filtered by time, user, port,
// host and kind, from this host's journal or a collection (journal_source.hpp).
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
//
// In a collection these fields are the ones the sending host's journald wrote, and the uid of
// user jitd differs from host to host (a dynamic system user), so the service rule there is
// _SYSTEMD_UNIT=jitd.service and _COMM=jitd: only root can put a process into jitd.service's
// cgroup. A collection is as trustworthy as its senders: a sending host's root (or whoever
// holds its upload certificate) can write any entry, _HOSTNAME included.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/client/journal_source.hpp"
#include "agent/wire/timefmt.hpp"

namespace jitd::client {

// Which rule above vouches for an entry; `untrusted` for one that claims to be jitd's
// (SYSLOG_IDENTIFIER=jitd, or a JITD_EVENT of a known kind) but satisfies neither.
enum class Trust { service, root, untrusted };
const char* trust_name(Trust t);  // "service", "root", "untrusted"

// The rule for journald's fields of one entry (empty when absent). `service_uid` is the uid
// of the user jitd, none when the host has no such user (then only the root rule applies).
Trust classify_writer(std::string_view systemd_unit, std::string_view uid, std::string_view comm,
                      std::optional<uid_t> service_uid);
// The rule in a collection: the service rule without the uid.
Trust classify_remote_writer(std::string_view systemd_unit, std::string_view uid,
                             std::string_view comm);

// The uid of the system user jitd (which jitd.service runs as), none when there is none.
std::optional<uid_t> jitd_service_uid();

// One journal entry of jitd's (an entry with JITD_EVENT), read back. Absent fields are empty.
// `reason` is the requester's justification; `cause` what ended the grant (JITD_CAUSE).
// `hostname` and `machine_id` are journald's _HOSTNAME and _MACHINE_ID of the sender;
// `suppressed` is JITD_SUPPRESSED (a summary of held-back refusals); `ports` JITD_PORTS, and
// `has_ports` whether the entry has that field (jitd's start and reload entries do).
struct AuditRecord {
    wire::SysSeconds time{};  // when the entry was written
    std::string event, user, port, protocol, source, grant_id, start, end, reason, cause, error,
        message, hostname, machine_id, suppressed, ports;
    bool has_ports = false;
    Trust trust = Trust::root;
};

struct AuditQuery {
    JournalSource source;
    wire::SysSeconds since{};
    wire::SysSeconds until{};
    std::optional<std::string> user;
    std::optional<std::uint16_t> port;
    std::optional<std::string> host;   // _HOSTNAME
    std::string machine_prefix;        // only machine ids that start so ("" any)
    std::vector<std::string> kinds;    // JITD_EVENT values; empty: every kind
    std::optional<uid_t> service_uid;  // see classify_writer(); unused for a collection
    bool include_untrusted = false;    // return untrusted entries too (else only count them)
};

struct AuditRead {
    std::vector<AuditRecord> events;  // oldest first
    std::size_t untrusted = 0;        // entries in the window claiming to be jitd's, but not
    std::string unreadable;           // a journal file the caller may not read, if any
};

// Throws std::runtime_error when the journal cannot be opened, JournalSourceError for a bad
// --directory/--file, and JournalAccessDenied when nothing could be read because journal files
// are unreadable to the caller.
AuditRead read_audit_events(const AuditQuery& q);

// Each machine's latest _HOSTNAME in the source's entries that claim to be jitd's, as
// (machine id, hostname) pairs: the collisions HostNames marks, whatever the filters.
std::vector<std::pair<std::string, std::string>> read_host_names(const JournalSource& source);

// jitd's own start and reload entries that carry JITD_PORTS, from the beginning of the journal
// to q.until (q.since, user, port, kinds are not applied; host is), oldest first: each host's
// protected ports as of its last one.
std::vector<AuditRecord> read_port_configurations(const AuditQuery& q);

}  // namespace jitd::client
