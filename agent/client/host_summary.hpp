// `jit-request audit --by host`: the portal's per-host table of a collection, and the names
// hosts are shown by in every format.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/client/journal_reader.hpp"

namespace jitd::client {

// The name a host is shown by: its _HOSTNAME, or "NAME (first 8 hex digits of its machine id)"
// when two machine ids added share that hostname; its machine id when it has no _HOSTNAME.
class HostNames {
  public:
    void add(const AuditRecord& e) { add(e.hostname, e.machine_id); }
    void add(const std::string& hostname, const std::string& machine_id) {
        ids_by_name_[hostname].insert(machine_id);
    }
    std::string label(const AuditRecord& e) const { return label(e.hostname, e.machine_id); }
    std::string label(const std::string& hostname, const std::string& machine_id) const;

  private:
    std::map<std::string, std::set<std::string>> ids_by_name_;
};

// What --host NAME selects: NAME's _HOSTNAME, and for a label as HostNames shows it,
// "web1 (3f2a9c01)", also the machine ids starting with those hex digits.
struct HostFilter {
    std::string hostname;
    std::string machine_prefix;  // "" for a plain name
};
HostFilter parse_host_filter(std::string_view text);

// One host's row: jitd's own events only (never an untrusted one). `refusals` counts refused
// requests: each deny entry, and for a summary of held-back refusals (JITD_ERROR=suppressed)
// the JITD_SUPPRESSED it carries. `ports` are the protected ports of the host's last start or
// reload entry up to the window's end, else the ports of its grants in the window.
struct HostSummary {
    std::string host, machine_id;
    unsigned grants = 0, refusals = 0;
    std::string last_access;         // ISO, "" when no grant
    std::string last_user;           // of the last grant, "" when none
    std::vector<std::string> ports;  // "22/tcp", sorted by port
};

// `events` the window's grant and deny events, `configs` read_port_configurations(); a host
// appears when it has either. `names` knows the source's hosts (read_host_names()). Sorted by
// host.
std::vector<HostSummary> summarize_hosts(const std::vector<AuditRecord>& events,
                                         const std::vector<AuditRecord>& configs,
                                         HostNames names = {});
std::string host_summary_table(const std::vector<HostSummary>& summary);
std::string host_summary_csv(const std::vector<HostSummary>& summary);  // header + one row each
// Keys in the documented order (host first).
nlohmann::ordered_json host_summary_json(const std::vector<HostSummary>& summary);

}  // namespace jitd::client
