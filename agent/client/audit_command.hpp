// `jit-request audit`: jitd's journal entries in a time window, as a table, CSV or JSON; from
// this host's journal or a collection of hosts' journal files; or a summary per port or host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "agent/client/context.hpp"
#include "agent/client/journal_source.hpp"

namespace jitd::client {

enum class AuditFormat { table, csv, json };
// events: every event (the table adds the per-port summary); port, host: only that summary.
enum class AuditBy { events, port, host };

struct AuditOptions {
    std::string since = "7d";
    std::optional<std::string> until;  // none: now
    std::optional<std::string> user;
    std::optional<std::uint16_t> port;
    std::optional<std::string> host;  // _HOSTNAME
    JournalSource source;             // --directory / --file; default this host's journal
    AuditFormat format = AuditFormat::table;
    AuditBy by = AuditBy::events;
    bool include_untrusted = false;  // show entries that claim to be jitd's but are not, marked
};

int run_audit(const AuditOptions& opt, Io& io);

}  // namespace jitd::client
