#include "tests/bench/journal_floor.hpp"

#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/bench/stats.hpp"

namespace jitd::bench {

double journal_send_grant_like(unsigned n) {
    const std::string id = "g-bench" + std::to_string(100000 + n % 100000);
    std::vector<std::string> lines{
        "MESSAGE=root opened 10.0.0.1/32 tcp/22 until 2026-11-23T16:00:00Z (" + id + ")",
        "MESSAGE_ID=00000000000000000000000000000000",
        "PRIORITY=5",
        "SYSLOG_IDENTIFIER=jitd-bench",
        "JITD_EVENT=grant",
        "JITD_GRANT_ID=" + id,
        "JITD_USER=root",
        "JITD_UID=0",
        "JITD_PORT=22",
        "JITD_PROTOCOL=tcp",
        "JITD_SOURCE=10.0.0.1/32",
        "JITD_START=2026-11-23T15:00:00Z",
        "JITD_END=2026-11-23T16:00:00Z"};
    std::vector<iovec> iov;
    iov.reserve(lines.size());
    for (auto& l : lines) iov.push_back({l.data(), l.size()});
    auto t0 = Clock::now();
    int rc = sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
    double us = micros_since(t0);
    if (rc < 0) throw std::runtime_error("sd_journal_sendv: " + std::string(std::strerror(-rc)));
    return us;
}

}  // namespace jitd::bench
