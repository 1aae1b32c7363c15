// `jit-request audit` output: events as a table, CSV or JSON, and the per-port summary.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/client/host_summary.hpp"
#include "agent/client/journal_reader.hpp"

namespace jitd::client {

// The columns every format carries, in order; reading a collection (`hosts` given), a first
// column `host` (HostNames::label()).
std::vector<std::string> audit_columns(const HostNames* hosts = nullptr);

// One event's values in audit_columns() order; times in ISO 8601; `trust` is trust_name().
std::vector<std::string> audit_values(const AuditRecord& e, const HostNames* hosts = nullptr);

// header + one record each
std::string audit_csv(const std::vector<AuditRecord>& events, const HostNames* hosts = nullptr);
// array of objects
nlohmann::json audit_json(const std::vector<AuditRecord>& events, const HostNames* hosts = nullptr);
// A first column WRITER (jitd / NOT-JITD) appears when an untrusted event is among them, then
// HOST when reading a collection.
std::string audit_table(const std::vector<AuditRecord>& events, const HostNames* hosts = nullptr);
// Which trust rule vouched for how many events, and how many claims were ignored (lines).
// `collection`: the rules as they apply to other hosts' journals (journal_reader.hpp).
std::string trust_text(const AuditRead& read, std::optional<uid_t> service_uid,
                       bool collection = false);

// Per port, from jitd's own events only (never an untrusted one): grants in the window, last access
// (time of the last grant), last user — like the portal's "Configured" tab.
struct PortSummary {
    std::string port;
    unsigned grants = 0;
    std::string last_access;  // ISO, "" when no grant
    std::string last_user;
};
std::vector<PortSummary> summarize_ports(const std::vector<AuditRecord>& events);
std::string port_summary_table(const std::vector<PortSummary>& summary);
std::string port_summary_csv(const std::vector<PortSummary>& summary);  // port,grants,...
// [{"port": 22, "grants": N, "last_access": ISO or null, "last_user": name or null}]
nlohmann::json port_summary_json(const std::vector<PortSummary>& summary);

}  // namespace jitd::client
