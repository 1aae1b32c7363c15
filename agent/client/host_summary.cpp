#include "agent/client/host_summary.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "agent/client/csv.hpp"
#include "agent/client/display_text.hpp"
#include "agent/client/text_table.hpp"
#include "agent/client/time_text.hpp"

namespace jitd::client {
namespace {

// The first 8 hex digits tell machines apart in practice and keep the column narrow.
constexpr std::size_t kMachineIdShown = 8;

std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : printable(s);
}

// Hosts are keyed by machine id; entries without one (not written by journald) by hostname.
std::string host_key(const AuditRecord& e) {
    return e.machine_id.empty() ? "name:" + e.hostname : e.machine_id;
}

unsigned leading_number(std::string_view s) {
    unsigned n = 0;
    std::from_chars(s.data(), s.data() + s.size(), n);
    return n;
}

// "22/tcp" before "3389/tcp" before "3389/udp".
bool port_less(const std::string& a, const std::string& b) {
    const unsigned pa = leading_number(a), pb = leading_number(b);
    return pa != pb ? pa < pb : a < b;
}

std::vector<std::string> split_ports(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string p; in >> p;) out.push_back(p);
    return out;
}

unsigned refusals_of(const AuditRecord& e) {
    if (e.error != "suppressed") return 1;
    const unsigned n = leading_number(e.suppressed);
    return n > 0 ? n : 1;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
}

}  // namespace

std::string HostNames::label(const std::string& hostname, const std::string& machine_id) const {
    if (hostname.empty()) return machine_id;
    const auto it = ids_by_name_.find(hostname);
    if (it == ids_by_name_.end() || it->second.size() < 2 || machine_id.empty()) return hostname;
    return hostname + " (" + machine_id.substr(0, kMachineIdShown) + ")";
}

HostFilter parse_host_filter(std::string_view text) {
    const auto open = text.rfind(" (");
    if (open == std::string_view::npos || !text.ends_with(')')) return {std::string(text), {}};
    const auto hex = text.substr(open + 2, text.size() - open - 3);
    const bool is_hex =
        !hex.empty() && hex.find_first_not_of("0123456789abcdef") == std::string_view::npos;
    if (!is_hex) return {std::string(text), {}};
    return {std::string(text.substr(0, open)), std::string(hex)};
}

std::vector<HostSummary> summarize_hosts(const std::vector<AuditRecord>& events,
                                         const std::vector<AuditRecord>& configs, HostNames names) {
    struct Row {
        HostSummary s;
        std::string hostname;
        std::vector<std::string> configured;
        bool has_config = false;
        std::set<std::string, decltype(&port_less)> granted{&port_less};
    };
    std::map<std::string, Row> rows;
    auto row_of = [&](const AuditRecord& e) -> Row& {
        names.add(e);
        Row& r = rows[host_key(e)];
        r.s.machine_id = e.machine_id;
        if (!e.hostname.empty()) r.hostname = e.hostname;  // the latest name it had
        return r;
    };
    for (const auto& c : configs) {  // oldest first: the last one wins
        if (c.trust == Trust::untrusted) continue;
        Row& r = row_of(c);
        r.configured = split_ports(c.ports);
        r.has_config = true;
    }
    for (const auto& e : events) {
        if (e.trust == Trust::untrusted) continue;
        if (e.event == "grant") {
            Row& r = row_of(e);
            ++r.s.grants;
            r.s.last_access = wire::format_iso8601(e.time);  // events come oldest first
            r.s.last_user = e.user;
            if (!e.port.empty()) r.granted.insert(e.port + "/" + e.protocol);
        } else if (e.event == "deny") {
            row_of(e).s.refusals += refusals_of(e);
        }
    }
    std::vector<HostSummary> out;
    out.reserve(rows.size());
    for (auto& [_, r] : rows) {
        r.s.host = names.label(r.hostname, r.s.machine_id);
        r.s.ports = r.has_config ? std::move(r.configured)
                                 : std::vector<std::string>(r.granted.begin(), r.granted.end());
        std::sort(r.s.ports.begin(), r.s.ports.end(), port_less);
        out.push_back(std::move(r.s));
    }
    std::sort(out.begin(), out.end(), [](const HostSummary& a, const HostSummary& b) {
        return a.host != b.host ? a.host < b.host : a.machine_id < b.machine_id;
    });
    return out;
}

std::string host_summary_table(const std::vector<HostSummary>& summary) {
    TextTable t({"HOST", "GRANTS", "REFUSALS", "LAST ACCESS (UTC)", "PORTS", "LAST USER"});
    for (const auto& s : summary) {
        std::string last = "-";
        if (auto when = wire::parse_iso8601(s.last_access)) last = table_time(*when);
        t.add_row({or_dash(s.host), std::to_string(s.grants), std::to_string(s.refusals), last,
                   s.ports.empty() ? "-" : joined(s.ports), or_dash(s.last_user)});
    }
    return t.render();
}

std::string host_summary_csv(const std::vector<HostSummary>& summary) {
    std::string out =
        csv_record({"host", "grants", "refusals", "last_access", "ports", "last_user"});
    for (const auto& s : summary)
        out += csv_record({s.host, std::to_string(s.grants), std::to_string(s.refusals),
                           s.last_access, joined(s.ports), s.last_user});
    return out;
}

nlohmann::ordered_json host_summary_json(const std::vector<HostSummary>& summary) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& s : summary) {
        auto or_null = [](const std::string& v) {
            return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
        };
        arr.push_back({{"host", s.host},
                       {"machine_id", s.machine_id},
                       {"grants", s.grants},
                       {"refusals", s.refusals},
                       {"last_access", or_null(s.last_access)},
                       {"ports", s.ports},
                       {"last_user", or_null(s.last_user)}});
    }
    return arr;
}

}  // namespace jitd::client
