// The journal field names of jitd's audit entries, owned once: the daemon writes them
// (agent/daemon/audit.cpp and its callers), `jit-request audit` reads them back
// (agent/client/journal_reader.cpp). What each one means: agent/PROTOCOL.md "Journal" and
// systemd/jitd.catalog. char arrays, so each is both a C string and a string_view.
#pragma once

namespace jitd::audit_fields {

// journald's own fields that jitd sets.
inline constexpr char kMessage[] = "MESSAGE";
inline constexpr char kMessageId[] = "MESSAGE_ID";
inline constexpr char kPriority[] = "PRIORITY";
inline constexpr char kSyslogIdentifier[] = "SYSLOG_IDENTIFIER";

// Every event.
inline constexpr char kEvent[] = "JITD_EVENT";
inline constexpr char kChannel[] = "JITD_CHANNEL";  // socket, remote
inline constexpr char kTruncated[] = "JITD_TRUNCATED";

// A grant and who asked.
inline constexpr char kGrantId[] = "JITD_GRANT_ID";
inline constexpr char kUser[] = "JITD_USER";
inline constexpr char kUid[] = "JITD_UID";
inline constexpr char kPort[] = "JITD_PORT";
inline constexpr char kProtocol[] = "JITD_PROTOCOL";
inline constexpr char kSource[] = "JITD_SOURCE";
inline constexpr char kStart[] = "JITD_START";
inline constexpr char kEnd[] = "JITD_END";
inline constexpr char kReason[] = "JITD_REASON";  // the requester's justification, only that
inline constexpr char kCause[] = "JITD_CAUSE";    // why a grant ended: audit_causes below
inline constexpr char kActor[] = "JITD_ACTOR";
inline constexpr char kOp[] = "JITD_OP";
inline constexpr char kError[] = "JITD_ERROR";
inline constexpr char kIntendedEvent[] = "JITD_INTENDED_EVENT";
inline constexpr char kSupersededBy[] = "JITD_SUPERSEDED_BY";

// Approvals (the two-person rule): the request, who approved it, and a decider's own words
// (JITD_REASON stays the requester's).
inline constexpr char kRequestId[] = "JITD_REQUEST_ID";
inline constexpr char kApprovers[] = "JITD_APPROVERS";
inline constexpr char kDecisionReason[] = "JITD_DECISION_REASON";
// A failed approval.notify hook: the request's event it was told about, what failed (exec,
// credentials, setup, spawn, exit, signal, timeout, skipped) and argv[0].
inline constexpr char kNotifyEvent[] = "JITD_NOTIFY_EVENT";
inline constexpr char kNotifyFailure[] = "JITD_NOTIFY_FAILURE";
inline constexpr char kNotifyCommand[] = "JITD_NOTIFY_COMMAND";

// Sessions ended with a grant.
inline constexpr char kKilledSockets[] = "JITD_KILLED_SOCKETS";
inline constexpr char kKilledConntrack[] = "JITD_KILLED_CONNTRACK";
inline constexpr char kKilledPickups[] = "JITD_KILLED_PICKUPS";
inline constexpr char kKillError[] = "JITD_KILL_ERROR";

// The daemon's life: start, stop, reload, lockdown, restore, the deny limiter's summaries.
inline constexpr char kPolicy[] = "JITD_POLICY";
inline constexpr char kLockdownFrom[] = "JITD_LOCKDOWN_FROM";
inline constexpr char kChanged[] = "JITD_CHANGED";
inline constexpr char kChangedBy[] = "JITD_CHANGED_BY";
inline constexpr char kRestored[] = "JITD_RESTORED";
inline constexpr char kRestoreUsec[] = "JITD_RESTORE_USEC";
inline constexpr char kRestoreCount[] = "JITD_RESTORE_COUNT";
inline constexpr char kSuppressed[] = "JITD_SUPPRESSED";
inline constexpr char kWindowStart[] = "JITD_WINDOW_START";
inline constexpr char kWindowEnd[] = "JITD_WINDOW_END";
// Start and (accepted) reload: the protected ports ("22/tcp 3389/any"), their settings as one
// line of JSON, and the listening management ports no rule protects ("5900/tcp").
inline constexpr char kPorts[] = "JITD_PORTS";
inline constexpr char kPortPolicy[] = "JITD_PORT_POLICY";
inline constexpr char kRecommended[] = "JITD_RECOMMENDED";

// The remote channel's summary of dropped datagrams (JITD_EVENT=dropped): the total, and one
// field per cause, JITD_DROPPED_ + the cause in upper case (JITD_DROPPED_NO_KEY_MATCHED=3).
inline constexpr char kDropped[] = "JITD_DROPPED";
inline constexpr char kDroppedCausePrefix[] = "JITD_DROPPED_";

// journald's trusted fields of the sender, which `jit-request audit` judges entries by.
inline constexpr char kSystemdUnit[] = "_SYSTEMD_UNIT";
inline constexpr char kSenderUid[] = "_UID";
inline constexpr char kSenderComm[] = "_COMM";
// ... and the sender's host, which tells the hosts of a collection apart.
inline constexpr char kHostname[] = "_HOSTNAME";
inline constexpr char kMachineId[] = "_MACHINE_ID";

}  // namespace jitd::audit_fields

// The values of JITD_CAUSE: what ended a grant (revoke, supersede, expire).
namespace jitd::audit_causes {

inline constexpr char kRequested[] = "requested";  // a user revoked it
inline constexpr char kPolicy[] = "policy";    // start or reload: the policy no longer allows it
inline constexpr char kExpired[] = "expired";  // its time was up
inline constexpr char kSuperseded[] = "superseded";  // the same request again replaced it
inline constexpr char kLapsed[] = "lapsed";          // a pending request nobody decided in time

}  // namespace jitd::audit_causes
