#include "agent/client/audit_command.hpp"

#include <ostream>

#include "agent/client/arguments.hpp"
#include "agent/client/audit_report.hpp"
#include "agent/client/exit_codes.hpp"
#include "agent/client/journal_reader.hpp"
#include "agent/client/time_text.hpp"

namespace jitd::client {

int run_audit(const AuditOptions& opt, Io& io) {
    const auto now = io.now();
    AuditQuery q;
    const auto since = parse_time_bound(opt.since, now);
    if (!since) {
        io.err << "jit-request: --since: " << since.error << "\n";
        return kExitUsage;
    }
    q.since = since.value;
    q.until = now;
    if (opt.until) {
        const auto until = parse_time_bound(*opt.until, now);
        if (!until) {
            io.err << "jit-request: --until: " << until.error << "\n";
            return kExitUsage;
        }
        q.until = until.value;
    }
    if (q.until < q.since) {
        io.err << "jit-request: --until (" << wire::format_iso8601(q.until)
               << ") is before --since (" << wire::format_iso8601(q.since) << ")\n";
        return kExitUsage;
    }
    q.user = opt.user;
    q.port = opt.port;

    AuditRead read;
    try {
        read = read_audit_events(q);
    } catch (const JournalAccessDenied& e) {
        io.err << "jit-request: " << e.what() << "\n";
        return kExitNotAuthorized;
    } catch (const std::runtime_error& e) {
        io.err << "jit-request: " << e.what() << "\n";
        return kExitUnavailable;
    }
    if (!read.unreadable.empty()) {
        io.err << "jit-request: warning: " << read.unreadable
               << " is unreadable to you, so this view may be incomplete (the systemd-journal "
                  "or adm group can read it all)\n";
    }

    switch (opt.format) {
        case AuditFormat::csv:
            io.out << audit_csv(read.events);
            break;
        case AuditFormat::json:
            io.out << audit_json(read.events).dump(2) << "\n";
            break;
        case AuditFormat::table:
            io.out << "jitd events from " << table_time(q.since) << " to " << table_time(q.until)
                   << " UTC\n";
            if (read.events.empty()) {
                io.out << "no events\n";
                break;
            }
            io.out << audit_table(read.events) << "\nper port:\n"
                   << port_summary_table(summarize_ports(read.events));
            break;
    }
    return kExitOk;
}

}  // namespace jitd::client
