#include "agent/client/journal_reader.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string_view>
#include <tuple>
#include <vector>

#include "agent/audit_events.hpp"
#include "agent/audit_fields.hpp"

namespace jitd::client {
namespace {

namespace field = audit_fields;

[[noreturn]] void journal_error(const char* what, int r) {
    throw std::runtime_error(std::string("cannot read the journal: ") + what + ": " +
                             std::strerror(-r));
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
void add_trusted_writer_matches(sd_journal* j, const AuditQuery& q) {
    if (q.source.collection()) {
        add_match(j, match_of(field::kSystemdUnit, kServiceUnit));
        add_match(j, match_of(field::kSenderComm, kComm));
        add_disjunction(j);
    } else if (q.service_uid) {
        add_match(j, match_of(field::kSystemdUnit, kServiceUnit));
        add_match(j, match_of(field::kSenderUid, std::to_string(*q.service_uid)));
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

// The fields of the current entry that a record holds, in one walk over its data (faster than
// one lookup per field: each lookup walks the entry's items again).
struct Fields {
    std::string unit, uid, comm;
};

void read_fields(sd_journal* j, AuditRecord& e, Fields& f) {
    struct Slot {
        std::string_view name;
        std::string* value;
    };
    const Slot slots[] = {
        {field::kEvent, &e.event},
        {field::kUser, &e.user},
        {field::kPort, &e.port},
        {field::kProtocol, &e.protocol},
        {field::kSource, &e.source},
        {field::kGrantId, &e.grant_id},
        {field::kStart, &e.start},
        {field::kEnd, &e.end},
        {field::kReason, &e.reason},
        {field::kCause, &e.cause},
        {field::kError, &e.error},
        {field::kMessage, &e.message},
        {field::kHostname, &e.hostname},
        {field::kMachineId, &e.machine_id},
        {field::kSuppressed, &e.suppressed},
        {field::kPorts, &e.ports},
        {field::kSystemdUnit, &f.unit},
        {field::kSenderUid, &f.uid},
        {field::kSenderComm, &f.comm},
    };
    const void* data = nullptr;
    std::size_t len = 0;
    sd_journal_restart_data(j);
    while (sd_journal_enumerate_data(j, &data, &len) > 0) {
        const std::string_view all(static_cast<const char*>(data), len);
        const auto eq = all.find('=');
        if (eq == std::string_view::npos) continue;
        const auto name = all.substr(0, eq);
        for (const auto& s : slots) {
            if (s.name != name) continue;
            s.value->assign(all.substr(eq + 1));
            if (s.value == &e.ports) e.has_ports = true;
            break;
        }
    }
}

struct Stamped {
    std::uint64_t usec;
    AuditRecord event;
};

// The query's matches: (jitd's OR claims to be) AND user, port, host and kinds.
void add_query_matches(sd_journal* j, const AuditQuery& q, const std::vector<std::string>& kinds) {
    // With kinds of jitd's own, (writer OR claims) AND kinds is just the kinds (the claims
    // name every kind): fewer terms for sd_journal to evaluate at each entry.
    const bool known = !kinds.empty() && std::all_of(kinds.begin(), kinds.end(), [](const auto& k) {
        return agent::audit_kind_from_name(k).has_value();
    });
    if (!known) {
        add_trusted_writer_matches(j, q);
        add_disjunction(j);
        add_claim_matches(j);
        add_conjunction(j);
    }
    // Matches on different fields are ANDed by sd_journal, on the same field ORed.
    if (q.user) add_match(j, match_of(field::kUser, *q.user));
    if (q.port) add_match(j, match_of(field::kPort, std::to_string(*q.port)));
    if (q.host) add_match(j, match_of(field::kHostname, *q.host));
    for (const auto& k : kinds) add_match(j, match_of(field::kEvent, k));
}

// The current entry as an event with its trust, or none when it is no audit event of the query.
std::optional<AuditRecord> current_event(sd_journal* j, const AuditQuery& q) {
    AuditRecord e;
    Fields f;
    read_fields(j, e, f);
    if (e.event.empty()) return std::nullopt;  // the daemon's operational log, not an event
    if (!e.machine_id.starts_with(q.machine_prefix)) return std::nullopt;
    e.trust = q.source.collection() ? classify_remote_writer(f.unit, f.uid, f.comm)
                                    : classify_writer(f.unit, f.uid, f.comm, q.service_uid);
    return e;
}

// systemd-journal-upload (systemd 252) sends the entry at its saved cursor again each time it
// starts, so a collector's file can hold an entry twice; the copy keeps the original's boot id
// and both timestamps, which no two entries of one journald share.
class ResentCopies {
  public:
    // True when the current entry was seen before.
    bool seen(sd_journal* j) {
        sd_id128_t boot{};
        std::uint64_t mono = 0;
        std::uint64_t real = 0;
        if (sd_journal_get_monotonic_usec(j, &mono, &boot) < 0 ||
            sd_journal_get_realtime_usec(j, &real) < 0)
            return false;
        std::uint64_t hi = 0;
        std::uint64_t lo = 0;
        std::memcpy(&hi, boot.bytes, sizeof hi);
        std::memcpy(&lo, boot.bytes + sizeof hi, sizeof lo);
        return !keys_.emplace(hi, lo, mono, real).second;
    }

  private:
    std::set<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t>> keys_;
};

// The entries from `from` to q.until that add_query_matches() selects, oldest first. `keep`
// sees each event with its trust filled in.
template <class Keep>
std::vector<Stamped> read_window(const AuditQuery& q, std::uint64_t from,
                                 const std::vector<std::string>& kinds, Keep keep) {
    JournalHandle j = open_journal(q.source);
    add_query_matches(j.get(), q, kinds);
    if (const int r = sd_journal_seek_realtime_usec(j.get(), from); r < 0)
        journal_error("seeking", r);

    std::vector<Stamped> out;
    ResentCopies copies;
    // Bounds are whole seconds: the window holds all of its last one (an entry written a moment
    // ago, in the current second, is in a window that ends now).
    const std::uint64_t until = usec(q.until) + 999999u;
    for (;;) {
        const int r = sd_journal_next(j.get());
        if (r < 0) journal_error("reading the next entry", r);
        if (r == 0) break;
        std::uint64_t t = 0;
        if (sd_journal_get_realtime_usec(j.get(), &t) < 0 || t < from) continue;
        // Several hosts' files interleave by time only roughly (each file keeps its own
        // order), so a collection is read to its end; this host's journal stops at `until`.
        if (t > until && !q.source.collection()) break;
        if (t > until) continue;
        if (q.source.collection() && copies.seen(j.get())) continue;
        auto e = current_event(j.get(), q);
        if (!e || !keep(*e)) continue;
        e->time = wire::SysSeconds{std::chrono::seconds{t / 1000000u}};
        out.push_back({t, std::move(*e)});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Stamped& a, const Stamped& b) { return a.usec < b.usec; });
    return out;
}

std::vector<AuditRecord> unstamp(std::vector<Stamped>&& all) {
    std::vector<AuditRecord> out;
    out.reserve(all.size());
    for (auto& s : all) out.push_back(std::move(s.event));
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

Trust classify_remote_writer(std::string_view systemd_unit, std::string_view uid,
                             std::string_view comm) {
    if (systemd_unit == kServiceUnit && comm == kComm) return Trust::service;
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

AuditRead read_audit_events(const AuditQuery& q) {
    AuditRead out;
    // One pass over (jitd's entries) OR (claims to be jitd's); the classification of each is
    // the trust rule again, which names the rule that vouched for it.
    out.events = unstamp(read_window(q, usec(q.since), q.kinds, [&](const AuditRecord& e) {
        if (e.trust != Trust::untrusted) return true;
        ++out.untrusted;
        return q.include_untrusted;
    }));
    if (::geteuid() != 0) out.unreadable = first_unreadable(q.source);
    if (out.events.empty() && !out.unreadable.empty()) {
        if (q.source.collection())
            throw JournalAccessDenied("you may not read the journal files of the collection (" +
                                      out.unreadable +
                                      ": permission denied); their owner or group can");
        throw JournalAccessDenied(
            "you may not read the system journal, where jitd writes its audit records (" +
            out.unreadable +
            ": permission denied); ask an administrator to add you to the systemd-journal "
            "group (or adm), then log in again");
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> read_host_names(const JournalSource& source) {
    JournalHandle j = open_journal(source);
    std::vector<std::string> ids;
    const void* data = nullptr;
    std::size_t len = 0;
    if (const int r = sd_journal_query_unique(j.get(), field::kMachineId); r < 0)
        journal_error("listing machine ids", r);
    SD_JOURNAL_FOREACH_UNIQUE(j.get(), data, len) {
        const std::string_view all(static_cast<const char*>(data), len);
        if (const auto eq = all.find('='); eq != std::string_view::npos)
            ids.emplace_back(all.substr(eq + 1));
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& id : ids) {
        sd_journal_flush_matches(j.get());
        add_match(j.get(), match_of(field::kMachineId, id));
        add_match(j.get(), match_of(field::kSyslogIdentifier, "jitd"));
        if (sd_journal_seek_tail(j.get()) < 0 || sd_journal_previous(j.get()) <= 0) continue;
        if (sd_journal_get_data(j.get(), field::kHostname, &data, &len) < 0) continue;
        const std::string_view all(static_cast<const char*>(data), len);
        out.emplace_back(id, std::string(all.substr(all.find('=') + 1)));
    }
    return out;
}

std::vector<AuditRecord> read_port_configurations(const AuditQuery& q) {
    AuditQuery c;
    c.source = q.source;
    c.until = q.until;
    c.host = q.host;
    c.machine_prefix = q.machine_prefix;
    c.service_uid = q.service_uid;
    const std::vector<std::string> kinds{
        std::string(agent::audit_info(agent::AuditKind::start).name),
        std::string(agent::audit_info(agent::AuditKind::reload).name)};
    return unstamp(read_window(c, 0, kinds, [](const AuditRecord& e) {
        return e.trust != Trust::untrusted && e.has_ports && e.error.empty();
    }));
}

}  // namespace jitd::client
