// Audit records in the journal (agent/PROTOCOL.md "Journal"). An AuditEvent journals itself on
// commit(); one destroyed without commit() is journaled as a deny with JITD_ERROR=internal, so
// an early return or an exception never drops a decision silently. Sending never blocks
// (agent/daemon/journal_socket.hpp).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/audit_events.hpp"
#include "agent/audit_fields.hpp"
#include "agent/wire/error_code.hpp"
#include "agent/wire/grant.hpp"

namespace jitd::agent {

class AuditEvent {
  public:
    explicit AuditEvent(AuditKind kind) : kind_(kind) {}
    AuditEvent(AuditEvent&& o) noexcept;
    AuditEvent& operator=(AuditEvent&&) = delete;
    AuditEvent(const AuditEvent&) = delete;
    AuditEvent& operator=(const AuditEvent&) = delete;
    ~AuditEvent();

    // `name` is the journal field name, e.g. audit_fields::kPort. Setting a field twice
    // replaces it.
    // Values are escaped and bounded (audit_value.hpp); a cut one adds JITD_TRUNCATED=1.
    AuditEvent& set(std::string_view name, std::string value);
    // A value from the policy (policy_summary.hpp): at most kMaxConfigValue bytes.
    AuditEvent& set_config(std::string_view name, std::string_view value);
    // A value the client chose: at most kMaxClientValue bytes.
    AuditEvent& set_client(std::string_view name, std::string_view value);
    AuditEvent& user(const std::string& name, uid_t uid);
    // GRANT_ID, USER, UID, PORT, PROTOCOL, SOURCE, START, END, and REASON (the requester's
    // justification) if not empty. Events that end a grant add CAUSE (audit_causes).
    AuditEvent& grant(const wire::Grant& g);
    AuditEvent& message(const std::string& text);

    // Turns the event into a deny with this error, then commits it.
    void deny(wire::ErrorCode code, const std::string& message);
    // Journals the event (once). Never blocks: false when the journal could not take it
    // (journald stopped or stalled; counted in journal_drops()). Callers that open access
    // refuse the change on false; the others treat the record as best effort.
    bool commit();
    bool committed() const { return committed_; }
    AuditKind kind() const { return kind_; }

  private:
    bool send();
    // False when the installed DenyLimiter holds this refusal back (deny_limiter.hpp).
    bool deny_admitted() const;

    AuditKind kind_;
    bool committed_ = false;
    bool written_ = false;
    std::string message_;
    std::vector<std::pair<std::string, std::string>> fields_;
};

}  // namespace jitd::agent
