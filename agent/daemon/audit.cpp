#include "agent/daemon/audit.hpp"

#include <syslog.h>

#include <stdexcept>

#include <spdlog/spdlog.h>

#include "agent/daemon/audit_value.hpp"
#include "agent/daemon/deny_limiter.hpp"
#include "agent/daemon/journal_socket.hpp"

namespace jitd::agent {
namespace {

namespace field = audit_fields;

int priority_of(AuditKind k) {
    switch (k) {
        case AuditKind::lockdown:
            return LOG_CRIT;
        case AuditKind::deny:
        case AuditKind::restore:
        case AuditKind::notify:
            return LOG_WARNING;
        case AuditKind::grant:
        case AuditKind::revoke:
        case AuditKind::extend:
        case AuditKind::supersede:
        case AuditKind::reload:
        case AuditKind::start:
        case AuditKind::stop:
        case AuditKind::dropped:
        case AuditKind::request:
        case AuditKind::approve:
        case AuditKind::reject:
        case AuditKind::cancel:
            return LOG_NOTICE;
        case AuditKind::lapse:
        case AuditKind::expire:
            break;
    }
    return LOG_INFO;
}

}  // namespace

AuditEvent::AuditEvent(AuditEvent&& o) noexcept
    : kind_(o.kind_),
      committed_(o.committed_),
      written_(o.written_),
      message_(std::move(o.message_)),
      fields_(std::move(o.fields_)) {
    o.committed_ = true;  // the moved-from shell has nothing to say
}

AuditEvent::~AuditEvent() {
    if (committed_) return;
    try {
        const std::string intended(audit_info(kind_).name);
        if (kind_ != AuditKind::deny) set(field::kIntendedEvent, intended);
        kind_ = AuditKind::deny;
        set(field::kError, "internal");
        message("jitd abandoned a " + intended + " decision (internal error)" +
                (message_.empty() ? "" : ": " + message_));
        commit();
    } catch (...) {
        // A destructor must not throw; the operational log still says something.
        spdlog::error("could not journal an abandoned audit event");
    }
}

AuditEvent& AuditEvent::set(std::string_view name, std::string value) {
    BoundedValue b = bounded_value(value, kMaxFieldValue);
    if (b.truncated) set(field::kTruncated, "1");
    value = std::move(b.text);
    for (auto& [n, v] : fields_)
        if (n == name) {
            v = std::move(value);
            return *this;
        }
    fields_.emplace_back(std::string(name), std::move(value));
    return *this;
}

AuditEvent& AuditEvent::set_config(std::string_view name, std::string_view value) {
    BoundedValue b = bounded_value(value, kMaxConfigValue);
    if (b.truncated) set(field::kTruncated, "1");
    for (auto& [n, v] : fields_)
        if (n == name) {
            v = std::move(b.text);
            return *this;
        }
    fields_.emplace_back(std::string(name), std::move(b.text));
    return *this;
}

AuditEvent& AuditEvent::set_client(std::string_view name, std::string_view value) {
    BoundedValue b = bounded_value(value, kMaxClientValue);
    if (b.truncated) set(field::kTruncated, "1");
    return set(name, std::move(b.text));
}

AuditEvent& AuditEvent::user(const std::string& name, uid_t uid) {
    set(field::kUser, name);
    return set(field::kUid, std::to_string(uid));
}

AuditEvent& AuditEvent::grant(const wire::Grant& g) {
    set(field::kGrantId, g.id);
    user(g.user, g.uid);
    set(field::kPort, std::to_string(g.port));
    set(field::kProtocol, config::to_string(g.protocol));
    set(field::kSource, g.source);
    set(field::kStart, wire::format_iso8601(g.start));
    set(field::kEnd, wire::format_iso8601(g.end));
    if (!g.reason.empty()) set(field::kReason, g.reason);
    return *this;
}

AuditEvent& AuditEvent::message(const std::string& text) {
    BoundedValue b = bounded_value(text, kMaxFieldValue);
    if (b.truncated) set(field::kTruncated, "1");
    message_ = std::move(b.text);
    return *this;
}

void AuditEvent::deny(wire::ErrorCode code, const std::string& text) {
    kind_ = AuditKind::deny;
    set(field::kError, std::string(wire::to_string(code)));
    message(text);
    commit();
}

bool AuditEvent::commit() {
    if (committed_) return written_;
    committed_ = true;
    // A refusal held back by the limiter is counted in its summary: it opened nothing.
    if (kind_ == AuditKind::deny && !deny_admitted()) {
        written_ = true;
        return written_;
    }
    written_ = send();
    return written_;
}

bool AuditEvent::deny_admitted() const {
    DenyLimiter* limiter = installed_deny_limiter();
    if (limiter == nullptr) return true;
    const std::string* uid_text = nullptr;
    for (const auto& [n, v] : fields_) {
        // A summary and an abandoned decision (internal error) always reach the journal.
        if (n == field::kSuppressed || (n == field::kError && v == "internal")) return true;
        if (n == field::kUid) uid_text = &v;
    }
    if (uid_text == nullptr) return true;
    uid_t uid = 0;
    try {
        uid = static_cast<uid_t>(std::stoul(*uid_text));
    } catch (const std::exception&) {
        return true;
    }
    if (!limiter->admit(uid, DenyLimiter::Clock::now(), wire::now_seconds())) return false;
    // Admitted again after a pause: first say what was held back before it.
    journal_suppressed(limiter->take_suppressed(uid));
    return true;
}

bool AuditEvent::send() {
    const auto& info = audit_info(kind_);
    JournalFields lines;
    lines.reserve(fields_.size() + 5);
    lines.emplace_back(field::kMessage,
                       message_.empty() ? "jitd " + std::string(info.name) : message_);
    lines.emplace_back(field::kMessageId, std::string(info.message_id));
    lines.emplace_back(field::kPriority, std::to_string(priority_of(kind_)));
    lines.emplace_back(field::kSyslogIdentifier, "jitd");
    lines.emplace_back(field::kEvent, std::string(info.name));
    for (const auto& [name, value] : fields_) lines.emplace_back(name, value);
    if (send_to_journal(lines) == JournalSend::written) return true;
    count_journal_drop();
    spdlog::warn("the journal is unavailable; audit event not written ({}): {}", info.name,
                 message_);
    return false;
}

}  // namespace jitd::agent
