#include "agent/client/journal_reader.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "agent/audit_events.hpp"
#include "agent/audit_fields.hpp"

namespace jitd::client {
namespace {

namespace fs = std::filesystem;
namespace field = audit_fields;

[[noreturn]] void journal_error(const char* what, int r) {
    throw std::runtime_error(std::string("cannot read the journal: ") + what + ": " +
                             std::strerror(-r));
}

// The value of FIELD in the current entry, or "" when the entry has none.
std::string value_of(sd_journal* j, const char* name) {
    const void* data = nullptr;
    std::size_t len = 0;
    if (sd_journal_get_data(j, name, &data, &len) < 0) return {};
    const std::string_view all(static_cast<const char*>(data), len);
    const auto eq = all.find('=');
    return eq == std::string_view::npos ? std::string() : std::string(all.substr(eq + 1));
}

// "NAME=value", a match on one field.
std::string match_of(const char* name, std::string_view value) {
    return std::string(name) + "=" + std::string(value);
}

void add_match(sd_journal* j, const std::string& match) {
    if (const int r = sd_journal_add_match(j, match.data(), match.size()); r < 0)
        journal_error("adding a match", r);
}

void add_disjunction(sd_journal* j) {
    if (const int r = sd_journal_add_disjunction(j); r < 0) journal_error("adding a match", r);
}

void add_conjunction(sd_journal* j) {
    if (const int r = sd_journal_add_conjunction(j); r < 0) journal_error("adding a match", r);
}

std::uint64_t usec(wire::SysSeconds t) {
    const auto s = t.time_since_epoch().count();
    return s <= 0 ? 0 : static_cast<std::uint64_t>(s) * 1000000u;
}

constexpr std::string_view kServiceUnit = "jitd.service";
constexpr std::string_view kComm = "jitd";

// (service rule) OR (root rule): the entries jitd wrote, by journald's own fields.
void add_trusted_writer_matches(sd_journal* j, std::optional<uid_t> service_uid) {
    if (service_uid) {
        add_match(j, match_of(field::kSystemdUnit, kServiceUnit));
        add_match(j, match_of(field::kSenderUid, std::to_string(*service_uid)));
        add_disjunction(j);
    }
    add_match(j, match_of(field::kSenderUid, "0"));
    add_match(j, match_of(field::kSenderComm, kComm));
}

// Entries that claim to be jitd's: its identifier, or an event kind of its.
void add_claim_matches(sd_journal* j) {
    add_match(j, match_of(field::kSyslogIdentifier, "jitd"));
    add_disjunction(j);
    for (const auto& k : agent::kAuditKinds) add_match(j, match_of(field::kEvent, k.name));
}

struct Stamped {
    std::uint64_t usec;
    AuditRecord event;
};

// The entries in [since, until] that the matches `add_writer` sets up select, ANDed with the
// query's user and port, oldest first. `keep` sees each event with its trust filled in.
template <class AddWriter, class Keep>
std::vector<Stamped> read_pass(const AuditQuery& q, AddWriter add_writer, Keep keep) {
    sd_journal* raw = nullptr;
    if (const int r = sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY); r < 0)
        journal_error("opening it", r);
    JournalHandle j(raw);

    add_writer(j.get());
    add_conjunction(j.get());
    // Matches on different fields are ANDed by sd_journal.
    if (q.user) add_match(j.get(), match_of(field::kUser, *q.user));
    if (q.port) add_match(j.get(), match_of(field::kPort, std::to_string(*q.port)));
    if (const int r = sd_journal_seek_realtime_usec(j.get(), usec(q.since)); r < 0)
        journal_error("seeking", r);

    std::vector<Stamped> out;
    // Bounds are whole seconds: the window holds all of its last one (an entry written a moment
    // ago, in the current second, is in a window that ends now).
    const std::uint64_t until = usec(q.until) + 999999u;
    for (;;) {
        const int r = sd_journal_next(j.get());
        if (r < 0) journal_error("reading the next entry", r);
        if (r == 0) break;
        std::uint64_t t = 0;
        if (sd_journal_get_realtime_usec(j.get(), &t) < 0) continue;
        if (t < usec(q.since)) continue;
        if (t > until) break;
        AuditRecord e;
        e.event = value_of(j.get(), field::kEvent);
        if (e.event.empty()) continue;  // the daemon's operational log, not an audit event
        e.trust = classify_writer(value_of(j.get(), field::kSystemdUnit),
                                  value_of(j.get(), field::kSenderUid),
                                  value_of(j.get(), field::kSenderComm), q.service_uid);
        if (!keep(e)) continue;
        e.time = wire::SysSeconds{std::chrono::seconds{t / 1000000u}};
        e.user = value_of(j.get(), field::kUser);
        e.port = value_of(j.get(), field::kPort);
        e.protocol = value_of(j.get(), field::kProtocol);
        e.source = value_of(j.get(), field::kSource);
        e.grant_id = value_of(j.get(), field::kGrantId);
        e.start = value_of(j.get(), field::kStart);
        e.end = value_of(j.get(), field::kEnd);
        e.reason = value_of(j.get(), field::kReason);
        e.cause = value_of(j.get(), field::kCause);
        e.error = value_of(j.get(), field::kError);
        e.message = value_of(j.get(), field::kMessage);
        out.push_back({t, std::move(e)});
    }
    return out;
}

}  // namespace

const char* trust_name(Trust t) {
    switch (t) {
        case Trust::service:
            return "service";
        case Trust::root:
            return "root";
        case Trust::untrusted:
            break;
    }
    return "untrusted";
}

Trust classify_writer(std::string_view systemd_unit, std::string_view uid, std::string_view comm,
                      std::optional<uid_t> service_uid) {
    if (service_uid && systemd_unit == kServiceUnit && uid == std::to_string(*service_uid))
        return Trust::service;
    if (uid == "0" && comm == kComm) return Trust::root;
    return Trust::untrusted;
}

std::optional<uid_t> jitd_service_uid() {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (::getpwnam_r("jitd", &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr)
        return std::nullopt;
    return found->pw_uid;
}

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
    AuditRead out;
    // The sd_journal matches select jitd's entries; the classification of each is the same
    // rule again, which names the rule that vouched for it.
    auto trusted = read_pass(
        q, [&](sd_journal* j) { add_trusted_writer_matches(j, q.service_uid); },
        [](const AuditRecord& e) { return e.trust != Trust::untrusted; });
    auto claims = read_pass(q, add_claim_matches, [&](const AuditRecord& e) {
        if (e.trust != Trust::untrusted) return false;  // jitd's: in `trusted` already
        ++out.untrusted;
        return q.include_untrusted;
    });
    std::vector<Stamped> all;
    all.reserve(trusted.size() + claims.size());
    std::merge(std::make_move_iterator(trusted.begin()), std::make_move_iterator(trusted.end()),
               std::make_move_iterator(claims.begin()), std::make_move_iterator(claims.end()),
               std::back_inserter(all),
               [](const Stamped& a, const Stamped& b) { return a.usec < b.usec; });
    out.events.reserve(all.size());
    for (auto& s : all) out.events.push_back(std::move(s.event));

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
