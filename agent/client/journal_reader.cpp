#include "agent/client/journal_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

namespace jitd::client {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void journal_error(const char* what, int r) {
    throw std::runtime_error(std::string("cannot read the journal: ") + what + ": " +
                             std::strerror(-r));
}

// The value of FIELD in the current entry, or "" when the entry has none.
std::string field(sd_journal* j, const char* name) {
    const void* data = nullptr;
    std::size_t len = 0;
    if (sd_journal_get_data(j, name, &data, &len) < 0) return {};
    const std::string_view all(static_cast<const char*>(data), len);
    const auto eq = all.find('=');
    return eq == std::string_view::npos ? std::string() : std::string(all.substr(eq + 1));
}

void add_match(sd_journal* j, const std::string& match) {
    if (const int r = sd_journal_add_match(j, match.data(), match.size()); r < 0)
        journal_error("adding a match", r);
}

std::uint64_t usec(wire::SysSeconds t) {
    const auto s = t.time_since_epoch().count();
    return s <= 0 ? 0 : static_cast<std::uint64_t>(s) * 1000000u;
}

}  // namespace

std::string first_unreadable_journal_file() {
    for (const char* root : {"/var/log/journal", "/run/log/journal"}) {
        std::error_code ec;
        fs::recursive_directory_iterator it(root, ec), end;
        if (ec) {
            if (ec == std::errc::permission_denied) return root;
            continue;
        }
        for (; it != end; it.increment(ec)) {
            if (ec) break;
            const fs::path& p = it->path();
            const std::string name = p.filename().string();
            const bool journal_file = name.ends_with(".journal") || name.ends_with(".journal~");
            const bool dir = it->is_directory(ec);
            if ((journal_file || dir) && ::access(p.c_str(), R_OK) != 0 && errno == EACCES)
                return p.string();
            if (dir && it.depth() >= 1) it.disable_recursion_pending();
        }
    }
    return {};
}

AuditRead read_audit_events(const AuditQuery& q) {
    sd_journal* raw = nullptr;
    if (const int r = sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY); r < 0)
        journal_error("opening it", r);
    JournalHandle j(raw);

    // Matches on different fields are ANDed by sd_journal.
    add_match(j.get(), "SYSLOG_IDENTIFIER=jitd");
    if (q.user) add_match(j.get(), "JITD_USER=" + *q.user);
    if (q.port) add_match(j.get(), "JITD_PORT=" + std::to_string(*q.port));
    if (const int r = sd_journal_seek_realtime_usec(j.get(), usec(q.since)); r < 0)
        journal_error("seeking", r);

    AuditRead out;
    const std::uint64_t until = usec(q.until);
    for (;;) {
        const int r = sd_journal_next(j.get());
        if (r < 0) journal_error("reading the next entry", r);
        if (r == 0) break;
        std::uint64_t t = 0;
        if (sd_journal_get_realtime_usec(j.get(), &t) < 0) continue;
        if (t < usec(q.since)) continue;
        if (t > until) break;
        AuditEvent e;
        e.event = field(j.get(), "JITD_EVENT");
        if (e.event.empty()) continue;  // the daemon's operational log, not an audit event
        e.time = wire::SysSeconds{std::chrono::seconds{t / 1000000u}};
        e.user = field(j.get(), "JITD_USER");
        e.port = field(j.get(), "JITD_PORT");
        e.protocol = field(j.get(), "JITD_PROTOCOL");
        e.source = field(j.get(), "JITD_SOURCE");
        e.grant_id = field(j.get(), "JITD_GRANT_ID");
        e.start = field(j.get(), "JITD_START");
        e.end = field(j.get(), "JITD_END");
        e.reason = field(j.get(), "JITD_REASON");
        e.error = field(j.get(), "JITD_ERROR");
        e.message = field(j.get(), "MESSAGE");
        out.events.push_back(std::move(e));
    }

    if (::geteuid() != 0) out.unreadable = first_unreadable_journal_file();
    if (out.events.empty() && !out.unreadable.empty()) {
        throw JournalAccessDenied(
            "you may not read the system journal, where jitd writes its audit records (" +
            out.unreadable +
            ": permission denied); ask an administrator to add you to the systemd-journal "
            "group (or adm), then log in again");
    }
    return out;
}

}  // namespace jitd::client
