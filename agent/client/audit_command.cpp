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
    q.include_untrusted = opt.include_untrusted;
    q.service_uid = jitd_service_uid();

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
        case AuditFormat::json:
            // Standard output stays CSV or JSON; the count of ignored entries goes beside it.
            if (read.untrusted > 0) {
                io.err << "jit-request: warning: " << read.untrusted
                       << (read.untrusted == 1 ? " entry claiming to be jitd was"
                                               : " entries claiming to be jitd were")
                       << " ignored: not written by jitd"
                       << (opt.include_untrusted ? " (included, with trust \"untrusted\")"
                                                 : " (--include-untrusted shows them)")
                       << "\n";
            }
            if (opt.format == AuditFormat::csv) {
                io.out << audit_csv(read.events);
            } else {
                // Journal fields are bytes: replace what is not UTF-8 rather than throw.
                io.out << audit_json(read.events)
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                       << "\n";
            }
            break;
        case AuditFormat::table:
            io.out << "jitd events from " << table_time(q.since) << " to " << table_time(q.until)
                   << " UTC\n"
                   << trust_text(read, q.service_uid);
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
