// The daemon's operational log (spdlog on stderr): concise, one line per event; under systemd
// each line carries its syslog priority for the journal.
#pragma once

namespace jitd::agent {

// Installs the "jitd" logger as the default; SPDLOG_LEVEL=debug adds one line per request.
void setup_logging();

}  // namespace jitd::agent
