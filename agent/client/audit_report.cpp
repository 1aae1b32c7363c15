#include "agent/client/audit_report.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "agent/client/csv.hpp"
#include "agent/client/text_table.hpp"
#include "agent/client/time_text.hpp"

namespace jitd::client {
namespace {

std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : printable(s);
}

// A journal END in ISO form, shortened to the time of day when it falls on the event's day.
std::string short_end(const std::string& end_iso, wire::SysSeconds event_time) {
    const auto end = wire::parse_iso8601(end_iso);
    if (!end) return or_dash(end_iso);
    const std::string full = table_time(*end);
    return full.substr(0, 10) == table_time(event_time).substr(0, 10) ? full.substr(11) : full;
}

// Ports sort numerically; anything else after them, as text.
bool port_less(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return a.size() < b.size();
    return a < b;
}

}  // namespace

std::vector<std::string> audit_columns(const HostNames* hosts) {
    std::vector<std::string> columns{"time",   "event",    "user", "port",   "protocol",
                                     "source", "grant_id", "end",  "reason", "cause",
                                     "error",  "message",  "trust"};
    if (hosts) columns.insert(columns.begin(), "host");
    return columns;
}

std::vector<std::string> audit_values(const AuditRecord& e, const HostNames* hosts) {
    std::vector<std::string> values{wire::format_iso8601(e.time),
                                    e.event,
                                    e.user,
                                    e.port,
                                    e.protocol,
                                    e.source,
                                    e.grant_id,
                                    e.end,
                                    e.reason,
                                    e.cause,
                                    e.error,
                                    e.message,
                                    trust_name(e.trust)};
    if (hosts) values.insert(values.begin(), hosts->label(e));
    return values;
}

std::string audit_csv(const std::vector<AuditRecord>& events, const HostNames* hosts) {
    std::string out = csv_record(audit_columns(hosts));
    for (const auto& e : events) out += csv_record(audit_values(e, hosts));
    return out;
}

nlohmann::json audit_json(const std::vector<AuditRecord>& events, const HostNames* hosts) {
    auto arr = nlohmann::json::array();
    const auto cols = audit_columns(hosts);
    for (const auto& e : events) {
        const auto values = audit_values(e, hosts);
        nlohmann::json obj = nlohmann::json::object();
        for (std::size_t i = 0; i < cols.size(); ++i) obj[cols[i]] = values[i];
        // A port is a number, as on the wire; null when the event has none.
        unsigned port = 0;
        const auto [p, ec] = std::from_chars(e.port.data(), e.port.data() + e.port.size(), port);
        if (!e.port.empty() && ec == std::errc{} && p == e.port.data() + e.port.size())
            obj["port"] = port;
        else
            obj["port"] = nullptr;
        arr.push_back(std::move(obj));
    }
    return arr;
}

std::string audit_table(const std::vector<AuditRecord>& events, const HostNames* hosts) {
    std::vector<std::string> headers{"TIME (UTC)", "EVENT", "USER",   "PORT",  "PROTO", "SOURCE",
                                     "GRANT",      "END",   "REASON", "CAUSE", "ERROR"};
    if (hosts) headers.insert(headers.begin(), "HOST");
    // Entries not written by jitd are only here on request; each says so in a first column.
    const bool flag = std::any_of(events.begin(), events.end(),
                                  [](const AuditRecord& e) { return e.trust == Trust::untrusted; });
    if (flag) headers.insert(headers.begin(), "WRITER");
    TextTable t(std::move(headers));
    for (const auto& e : events) {
        std::vector<std::string> row{
            table_time(e.time),  or_dash(e.event),
            or_dash(e.user),     or_dash(e.port),
            or_dash(e.protocol), or_dash(e.source),
            or_dash(e.grant_id), e.end.empty() ? "-" : short_end(e.end, e.time),
            or_dash(e.reason),   or_dash(e.cause),
            or_dash(e.error)};
        if (hosts) row.insert(row.begin(), or_dash(hosts->label(e)));
        if (flag) row.insert(row.begin(), e.trust == Trust::untrusted ? "NOT-JITD" : "jitd");
        t.add_row(std::move(row));
    }
    return t.render();
}

std::string trust_text(const AuditRead& read, std::optional<uid_t> service_uid, bool collection) {
    std::size_t by_service = 0, by_root = 0, shown_untrusted = 0;
    for (const auto& e : read.events) {
        if (e.trust == Trust::service) ++by_service;
        if (e.trust == Trust::root) ++by_root;
        if (e.trust == Trust::untrusted) ++shown_untrusted;
    }
    std::string out = "written by jitd (by journald's own fields of the sender): ";
    if (collection) {
        out = "written by jitd (by the sending host's journald's own fields): " +
              std::to_string(by_service) + " from jitd.service, ";
    } else if (service_uid) {
        out += std::to_string(by_service) + " from jitd.service as user jitd (uid " +
               std::to_string(*service_uid) + "), ";
    } else {
        out += "none from jitd.service (no user jitd on this host), ";
    }
    out += std::to_string(by_root) + " from a root process named jitd (started by hand)\n";
    if (read.untrusted > 0) {
        out += std::to_string(read.untrusted) +
               (read.untrusted == 1 ? " entry claiming to be jitd was"
                                    : " entries claiming to be jitd were") +
               " ignored: not written by jitd";
        out += shown_untrusted > 0 ? " (shown, marked NOT-JITD, and left out of the per-port "
                                     "summary)\n"
                                   : " (--include-untrusted shows them)\n";
    }
    return out;
}

std::vector<PortSummary> summarize_ports(const std::vector<AuditRecord>& events) {
    std::map<std::string, PortSummary, decltype(&port_less)> by_port(&port_less);
    for (const auto& e : events) {
        if (e.port.empty() || e.trust == Trust::untrusted) continue;
        auto& s = by_port[e.port];
        s.port = e.port;
        if (e.event != "grant") continue;
        ++s.grants;
        s.last_access = wire::format_iso8601(e.time);  // events come oldest first
        s.last_user = e.user;
    }
    std::vector<PortSummary> out;
    out.reserve(by_port.size());
    for (auto& [_, s] : by_port) out.push_back(std::move(s));
    return out;
}

std::string port_summary_table(const std::vector<PortSummary>& summary) {
    TextTable t({"PORT", "GRANTS", "LAST ACCESS (UTC)", "LAST USER"});
    for (const auto& s : summary) {
        std::string last = "-";
        if (auto when = wire::parse_iso8601(s.last_access)) last = table_time(*when);
        t.add_row({s.port, std::to_string(s.grants), last, or_dash(s.last_user)});
    }
    return t.render();
}

std::string port_summary_csv(const std::vector<PortSummary>& summary) {
    std::string out = csv_record({"port", "grants", "last_access", "last_user"});
    for (const auto& s : summary)
        out += csv_record({s.port, std::to_string(s.grants), s.last_access, s.last_user});
    return out;
}

nlohmann::json port_summary_json(const std::vector<PortSummary>& summary) {
    auto arr = nlohmann::json::array();
    auto or_null = [](const std::string& v) {
        return v.empty() ? nlohmann::json(nullptr) : nlohmann::json(v);
    };
    for (const auto& s : summary) {
        unsigned port = 0;
        const auto [p, ec] = std::from_chars(s.port.data(), s.port.data() + s.port.size(), port);
        nlohmann::json number = ec == std::errc{} && p == s.port.data() + s.port.size()
                                    ? nlohmann::json(port)
                                    : nlohmann::json(s.port);
        arr.push_back({{"port", std::move(number)},
                       {"grants", s.grants},
                       {"last_access", or_null(s.last_access)},
                       {"last_user", or_null(s.last_user)}});
    }
    return arr;
}
}  // namespace jitd::client
