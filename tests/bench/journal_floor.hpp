// What one audit entry costs the sender: sd_journal_sendv of an entry shaped like jitd's
// grant event (same fields, SYSLOG_IDENTIFIER=jitd-bench so it is never taken for jitd's).
#pragma once

namespace jitd::bench {

// Sends one entry; returns the microseconds the call took. Throws when journald refuses.
double journal_send_grant_like(unsigned n);

}  // namespace jitd::bench
