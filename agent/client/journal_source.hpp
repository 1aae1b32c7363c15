// Where `jit-request audit` reads: this host's journal, or a collection of other hosts'
// journal files as systemd-journal-remote writes them (--directory DIR: its *.journal files,
// one per sending host in split-mode=host; --file FILE...: exactly those files).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemd/sd-journal.h>

namespace jitd::client {

struct JournalCloser {
    void operator()(sd_journal* j) const { sd_journal_close(j); }
};
using JournalHandle = std::unique_ptr<sd_journal, JournalCloser>;

struct JournalSource {
    enum class Kind { local, directory, files };
    Kind kind = Kind::local;
    std::string directory;           // Kind::directory
    std::vector<std::string> files;  // Kind::files

    // Other hosts' journals: entries carry their sender's _HOSTNAME and _MACHINE_ID, and trust
    // is judged without this host's uid of user jitd (journal_reader.hpp).
    bool collection() const { return kind != Kind::local; }
};

// The caller may not read the journal files that hold jitd's entries (exit 77).
class JournalAccessDenied : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A --directory or --file that does not exist or is not what it should be (exit 64).
class JournalSourceError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Opens the source. Throws JournalSourceError for a missing directory or file,
// JournalAccessDenied for a --file the caller may not read, std::runtime_error otherwise.
JournalHandle open_journal(const JournalSource& source);

// The first journal file of the source (or directory on the way to one) that the caller may
// not read, or "". sd_journal skips those silently, so the caller warns.
std::string first_unreadable(const JournalSource& source);

}  // namespace jitd::client
