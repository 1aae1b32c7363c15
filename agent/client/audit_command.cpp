#include "agent/client/audit_command.hpp"

#include <ostream>

#include "agent/client/arguments.hpp"
#include "agent/client/audit_report.hpp"
#include "agent/client/exit_codes.hpp"
#include "agent/client/host_summary.hpp"
#include "agent/client/journal_reader.hpp"
#include "agent/client/time_text.hpp"

namespace jitd::client {
namespace {

// Journal fields are bytes: replace what is not UTF-8 rather than throw.
template <class Json>
std::string json_text(const Json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The window and filters of the command line; false (after saying why) on a usage error.
bool make_query(const AuditOptions& opt, Io& io, AuditQuery& q) {
    const auto now = io.now();
    const auto since = parse_time_bound(opt.since, now);
    if (!since) {
        io.err << "jit-request: --since: " << since.error << "\n";
        return false;
    }
    q.since = since.value;
    q.until = now;
    if (opt.until) {
        const auto until = parse_time_bound(*opt.until, now);
        if (!until) {
            io.err << "jit-request: --until: " << until.error << "\n";
            return false;
        }
        q.until = until.value;
    }
    if (q.until < q.since) {
        io.err << "jit-request: --until (" << wire::format_iso8601(q.until)
               << ") is before --since (" << wire::format_iso8601(q.since) << ")\n";
        return false;
    }
    q.source = opt.source;
    q.user = opt.user;
    q.port = opt.port;
    if (opt.host) {
        // A name as the host column shows it selects that machine alone.
        auto filter = parse_host_filter(*opt.host);
        q.host = std::move(filter.hostname);
        q.machine_prefix = std::move(filter.machine_prefix);
    }
    q.include_untrusted = opt.include_untrusted;
    q.service_uid = jitd_service_uid();
    // The per-host table counts grants and refusals only: the journal selects just those.
    if (opt.by == AuditBy::host) q.kinds = {"grant", "deny"};
    return true;
}

void warn_untrusted(const AuditOptions& opt, const AuditRead& read, Io& io) {
    if (read.untrusted == 0) return;
    io.err << "jit-request: warning: " << read.untrusted
           << (read.untrusted == 1 ? " entry claiming to be jitd was"
                                   : " entries claiming to be jitd were")
           << " ignored: not written by jitd"
           << (opt.include_untrusted ? " (included, with trust \"untrusted\")"
                                     : " (--include-untrusted shows them)")
           << "\n";
}

void print_events(const AuditOptions& opt, const AuditRead& read, const HostNames* hosts, Io& io) {
    switch (opt.format) {
        case AuditFormat::csv:
            io.out << audit_csv(read.events, hosts);
            return;
        case AuditFormat::json:
            io.out << json_text(audit_json(read.events, hosts));
            return;
        case AuditFormat::table:
            break;
    }
    if (read.events.empty()) {
        io.out << "no events\n";
        return;
    }
    io.out << audit_table(read.events, hosts) << "\nper port:\n"
           << port_summary_table(summarize_ports(read.events));
}

void print_ports(const AuditOptions& opt, const AuditRead& read, Io& io) {
    const auto summary = summarize_ports(read.events);
    switch (opt.format) {
        case AuditFormat::csv:
            io.out << port_summary_csv(summary);
            return;
        case AuditFormat::json:
            io.out << json_text(port_summary_json(summary));
            return;
        case AuditFormat::table:
            break;
    }
    if (summary.empty()) {
        io.out << "no events\n";
        return;
    }
    io.out << port_summary_table(summary);
}

void print_hosts(const AuditOptions& opt, const std::vector<HostSummary>& summary, Io& io) {
    switch (opt.format) {
        case AuditFormat::csv:
            io.out << host_summary_csv(summary);
            return;
        case AuditFormat::json:
            io.out << json_text(host_summary_json(summary));
            return;
        case AuditFormat::table:
            break;
    }
    if (summary.empty()) {
        io.out << "no hosts\n";
        return;
    }
    io.out << host_summary_table(summary);
}

}  // namespace

int run_audit(const AuditOptions& opt, Io& io) {
    AuditQuery q;
    if (!make_query(opt, io, q)) return kExitUsage;
    try {
        const AuditRead read = read_audit_events(q);
        // Read before anything is printed, so that an error leaves standard output empty.
        // Which hosts share a name: from the whole source, so that no filter changes a label.
        HostNames names;
        if (q.source.collection())
            for (const auto& [id, name] : read_host_names(q.source)) names.add(name, id);
        for (const auto& e : read.events) names.add(e);
        std::vector<HostSummary> hosts;
        if (opt.by == AuditBy::host)
            hosts = summarize_hosts(read.events, read_port_configurations(q), names);
        if (!read.unreadable.empty()) {
            io.err << "jit-request: warning: " << read.unreadable
                   << " is unreadable to you, so this view may be incomplete"
                   << (q.source.collection()
                           ? "\n"
                           : " (the systemd-journal or adm group can read it all)\n");
        }
        if (opt.format == AuditFormat::table) {
            io.out << "jitd events from " << table_time(q.since) << " to " << table_time(q.until)
                   << " UTC" << (q.source.collection() ? " in the collection" : "") << "\n"
                   << trust_text(read, q.service_uid, q.source.collection());
        } else {
            // Standard output stays CSV or JSON; the count of ignored entries goes beside it.
            warn_untrusted(opt, read, io);
        }
        switch (opt.by) {
            case AuditBy::events:
                print_events(opt, read, q.source.collection() ? &names : nullptr, io);
                break;
            case AuditBy::port:
                print_ports(opt, read, io);
                break;
            case AuditBy::host:
                print_hosts(opt, hosts, io);
                break;
        }
    } catch (const JournalAccessDenied& e) {
        io.err << "jit-request: " << e.what() << "\n";
        return kExitNotAuthorized;
    } catch (const JournalSourceError& e) {
        io.err << "jit-request: " << e.what() << "\n";
        return kExitUsage;
    } catch (const std::runtime_error& e) {
        io.err << "jit-request: " << e.what() << "\n";
        return kExitUnavailable;
    }
    return kExitOk;
}

}  // namespace jitd::client
