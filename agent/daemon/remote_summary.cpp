#include "agent/daemon/remote_summary.hpp"

#include <cctype>

#include "agent/daemon/audit.hpp"

namespace jitd::agent {

std::string dropped_cause_field(std::string_view cause) {
    std::string name = audit_fields::kDroppedCausePrefix;
    for (const char c : cause)
        name += std::isalnum(static_cast<unsigned char>(c)) != 0
                    ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                    : '_';
    return name;
}

bool journal_remote_drops(const RemoteCounters& counts, wire::SysSeconds start,
                          wire::SysSeconds end) {
    const std::uint64_t total = counts.total();
    if (total == 0) return true;
    AuditEvent ev(AuditKind::dropped);
    ev.set(audit_fields::kChannel, "remote");
    ev.set(audit_fields::kDropped, std::to_string(total));
    const nlohmann::json causes = counts.to_json();  // a named object: GCC 12 warns on a temporary
    for (const auto& [cause, n] : causes.items())
        ev.set(dropped_cause_field(cause), std::to_string(n.get<std::uint64_t>()));
    ev.set(audit_fields::kWindowStart, wire::format_iso8601(start));
    ev.set(audit_fields::kWindowEnd, wire::format_iso8601(end));
    ev.message("remote: " + std::to_string(total) + (total == 1 ? " datagram" : " datagrams") +
               " dropped without a decision since " + wire::format_iso8601(start) + ": " +
               counts.summary());
    return ev.commit();
}

}  // namespace jitd::agent
