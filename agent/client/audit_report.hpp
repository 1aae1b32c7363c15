// `jit-request audit` output: events as a table, CSV or JSON, and the per-port summary.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/client/journal_reader.hpp"

namespace jitd::client {

// The columns every format carries, in order.
const std::vector<std::string>& audit_columns();

// One event's values in audit_columns() order; times in ISO 8601; `trust` is trust_name().
std::vector<std::string> audit_values(const AuditRecord& e);

std::string audit_csv(const std::vector<AuditRecord>& events);      // header + one record each
nlohmann::json audit_json(const std::vector<AuditRecord>& events);  // array of objects
// A first column WRITER (jitd / NOT-JITD) appears when an untrusted event is among them.
std::string audit_table(const std::vector<AuditRecord>& events);
// Which trust rule vouched for how many events, and how many claims were ignored (lines).
std::string trust_text(const AuditRead& read, std::optional<uid_t> service_uid);

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

}  // namespace jitd::client
