// Builds a collection of hosts' journal files the way systemd-journal-remote writes one (one
// file per sending host), without containers: entries are written in journal export format,
// with the fields the sending host's journald would have added (_HOSTNAME, _MACHINE_ID,
// _BOOT_ID, _UID, _COMM, _SYSTEMD_UNIT, __REALTIME_TIMESTAMP), and fed to the real
// /lib/systemd/systemd-journal-remote --output=FILE - (package systemd-journal-remote).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jitd::test {

// Who wrote an entry on the sending host, as its journald recorded it.
enum class Writer {
    service,  // jitd.service: _SYSTEMD_UNIT=jitd.service _UID=<that host's jitd> _COMM=jitd
    root,     // a jitd started by hand as root: _UID=0 _COMM=jitd
    forger,   // an ordinary account that named its process jitd: _UID=1000 _COMM=jitd
};

struct SendingHost {
    std::string hostname;
    std::string machine_id;   // 32 hex digits
    std::string uid = "991";  // its user jitd's uid
};

struct CollectedEntry {
    std::uint64_t realtime_usec = 0;
    std::string event;  // JITD_EVENT (MESSAGE_ID follows from it)
    std::vector<std::pair<std::string, std::string>> fields;  // JITD_USER, JITD_PORT, ...
    Writer writer = Writer::service;
    std::uint64_t monotonic_usec = 0;  // 0: the next after the previous entry's
};

// The export-format text of `entries` from `host` (values must not hold a newline).
std::string export_text(const SendingHost& host, const std::vector<CollectedEntry>& entries);

// Writes `entries` of `host` to the journal file `path` (which must end in .journal) with
// systemd-journal-remote. Throws std::runtime_error when it fails.
void write_remote_journal(const std::string& path, const SendingHost& host,
                          const std::vector<CollectedEntry>& entries);

// The systemd-journal-remote binary.
const char* journal_remote_binary();

}  // namespace jitd::test
