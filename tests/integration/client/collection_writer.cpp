#include "tests/integration/client/collection_writer.hpp"

#include <stdexcept>

#include "agent/audit_events.hpp"
#include "tests/support/process.hpp"

namespace jitd::test {

const char* journal_remote_binary() {
    return "/lib/systemd/systemd-journal-remote";
}

std::string export_text(const SendingHost& host, const std::vector<CollectedEntry>& entries) {
    std::string out;
    std::uint64_t monotonic = 1000000;
    auto line = [&out](const std::string& name, const std::string& value) {
        if (value.find('\n') != std::string::npos)
            throw std::invalid_argument("export_text: a value with a newline: " + name);
        out += name + "=" + value + "\n";
    };
    for (const auto& e : entries) {
        line("__REALTIME_TIMESTAMP", std::to_string(e.realtime_usec));
        monotonic = e.monotonic_usec != 0 ? e.monotonic_usec : monotonic + 1000;
        line("__MONOTONIC_TIMESTAMP", std::to_string(monotonic));
        // One boot per host: the machine id reversed is as good a boot id as any.
        line("_BOOT_ID", std::string(host.machine_id.rbegin(), host.machine_id.rend()));
        line("_HOSTNAME", host.hostname);
        line("_MACHINE_ID", host.machine_id);
        line("_TRANSPORT", "journal");
        line("_COMM", "jitd");
        switch (e.writer) {
            case Writer::service:
                line("_UID", host.uid);
                line("_SYSTEMD_UNIT", "jitd.service");
                break;
            case Writer::root:
                line("_UID", "0");
                break;
            case Writer::forger:
                line("_UID", "1000");
                line("_SYSTEMD_UNIT", "user@1000.service");
                break;
        }
        line("SYSLOG_IDENTIFIER", "jitd");
        if (const auto kind = agent::audit_kind_from_name(e.event))
            line("MESSAGE_ID", std::string(agent::audit_info(*kind).message_id));
        line("JITD_EVENT", e.event);
        line("MESSAGE", "jitd test event " + e.event + " on " + host.hostname);
        for (const auto& [name, value] : e.fields) line(name, value);
        out += "\n";
    }
    return out;
}

void write_remote_journal(const std::string& path, const SendingHost& host,
                          const std::vector<CollectedEntry>& entries) {
    const auto r =
        run({journal_remote_binary(), "--output=" + path, "-"}, export_text(host, entries));
    if (r.exit_code != 0)
        throw std::runtime_error("systemd-journal-remote --output=" + path + " failed (" +
                                 std::to_string(r.exit_code) + "): " + r.err);
}

}  // namespace jitd::test
