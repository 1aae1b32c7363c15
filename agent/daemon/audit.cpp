#include "agent/daemon/audit.hpp"

#include <sys/uio.h>
#include <syslog.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include <spdlog/spdlog.h>

namespace jitd::agent {
namespace {

int priority_of(AuditKind k) {
    switch (k) {
        case AuditKind::deny:
        case AuditKind::restore:
            return LOG_WARNING;
        case AuditKind::grant:
        case AuditKind::revoke:
        case AuditKind::extend:
        case AuditKind::supersede:
        case AuditKind::reload:
        case AuditKind::start:
        case AuditKind::stop:
            return LOG_NOTICE;
        case AuditKind::expire:
            break;
    }
    return LOG_INFO;
}

}  // namespace

AuditEvent::AuditEvent(AuditEvent&& o) noexcept
    : kind_(o.kind_),
      committed_(o.committed_),
      message_(std::move(o.message_)),
      fields_(std::move(o.fields_)) {
    o.committed_ = true;  // the moved-from shell has nothing to say
}

AuditEvent::~AuditEvent() {
    if (committed_) return;
    try {
        const std::string intended(audit_info(kind_).name);
        if (kind_ != AuditKind::deny) set("JITD_INTENDED_EVENT", intended);
        kind_ = AuditKind::deny;
        set("JITD_ERROR", "internal");
        message("jitd abandoned a " + intended + " decision (internal error)" +
                (message_.empty() ? "" : ": " + message_));
        commit();
    } catch (...) {
        // A destructor must not throw; the operational log still says something.
        spdlog::error("could not journal an abandoned audit event");
    }
}

AuditEvent& AuditEvent::set(std::string_view name, std::string value) {
    for (auto& [n, v] : fields_)
        if (n == name) {
            v = std::move(value);
            return *this;
        }
    fields_.emplace_back(std::string(name), std::move(value));
    return *this;
}

AuditEvent& AuditEvent::user(const std::string& name, uid_t uid) {
    set("JITD_USER", name);
    return set("JITD_UID", std::to_string(uid));
}

AuditEvent& AuditEvent::grant(const wire::Grant& g) {
    set("JITD_GRANT_ID", g.id);
    user(g.user, g.uid);
    set("JITD_PORT", std::to_string(g.port));
    set("JITD_PROTOCOL", config::to_string(g.protocol));
    set("JITD_SOURCE", g.source);
    set("JITD_START", wire::format_iso8601(g.start));
    set("JITD_END", wire::format_iso8601(g.end));
    if (!g.reason.empty()) set("JITD_REASON", g.reason);
    return *this;
}

AuditEvent& AuditEvent::message(std::string text) {
    message_ = std::move(text);
    return *this;
}

void AuditEvent::deny(wire::ErrorCode code, const std::string& text) {
    kind_ = AuditKind::deny;
    set("JITD_ERROR", std::string(wire::to_string(code)));
    message(text);
    commit();
}

void AuditEvent::commit() {
    if (committed_) return;
    committed_ = true;
    send();
}

void AuditEvent::send() {
    const auto& info = audit_info(kind_);
    std::vector<std::string> lines;
    lines.reserve(fields_.size() + 5);
    lines.push_back("MESSAGE=" + (message_.empty() ? "jitd " + std::string(info.name) : message_));
    lines.push_back("MESSAGE_ID=" + std::string(info.message_id));
    lines.push_back("PRIORITY=" + std::to_string(priority_of(kind_)));
    lines.push_back("SYSLOG_IDENTIFIER=jitd");
    lines.push_back("JITD_EVENT=" + std::string(info.name));
    for (const auto& [name, value] : fields_) lines.push_back(name + "=" + value);
    std::vector<iovec> iov;
    iov.reserve(lines.size());
    for (auto& l : lines) iov.push_back({l.data(), l.size()});
    int rc = sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
    if (rc < 0) spdlog::warn("journal refused an audit event ({}): {}", info.name, message_);
}

}  // namespace jitd::agent
