#include "tests/bench/remote/remote_report.hpp"

#include <cstdio>
#include <string>

namespace jitd::bench::remote {
namespace {

using nlohmann::json;

// Milliseconds in a 9-wide column, or a whole number.
std::string col(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%9.2f", v);
    return buf;
}
std::string whole(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

// "p50 p90 p99 max  granted/n" for a series at `ptr` (or why it is missing).
std::string row(const json& doc, const std::string& ptr) {
    const json::json_pointer p(ptr);
    if (!doc.contains(p)) return "not run";
    const json& s = doc[p];
    if (s.contains("error")) return "error: " + s["error"].get<std::string>();
    std::string out;
    for (const char* k : {"p50_ms", "p90_ms", "p99_ms", "max_ms"})
        out += s.contains(k) ? col(s[k].get<double>()) : std::string("        -");
    out += "   " + std::to_string(s.value("granted", 0)) + "/" + std::to_string(s.value("n", 0));
    if (s.contains("within_1s") && ptr.find("flood") != std::string::npos)
        out += ", " + std::to_string(s.value("within_1s", 0)) + " within 1 s";
    return out;
}

void line(std::ostream& out, const char* label, const json& doc, const std::string& ptr) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "   %-40s", label);
    out << buf << row(doc, ptr) << "\n";
}

}  // namespace

void print_remote_table(std::ostream& out, const json& doc) {
    const json& m = doc.value("machine", json::object());
    out << "jitd remote benchmark: " << m.value("nproc", 0) << " cores, " << m.value("cpu", "")
        << ", " << m.value("kernel", "") << ", " << m.value("date", "") << "\n";
    out << "   load average at start " << doc.value("load_start", "?") << ", at end "
        << doc.value("load_end", "?") << "\n\n";
    const std::string head =
        "                                                 p50      p90 "
        "     p99      max   opened/n\n";
    out << "1. Datagram sent -> door open, ms (clock started right before the send)\n" << head;
    line(out, "jitd, stock fwknop client's SPA packet", doc, "/jitd/spa/latency");
    line(out, "jitd, signed request (ssh-agent ed25519)", doc, "/jitd/sshsig/latency");
    line(out, "fwknopd, pcap mode", doc, "/fwknopd_pcap/latency");
    line(out, "fwknopd, UDP server mode", doc, "/fwknopd_udp/latency");
    out << "   whole client command -> door open (spawn included):\n";
    line(out, "jitd, `fwknop` process", doc, "/jitd/command/fwknop");
    line(out, "jitd, `jit-request open --host` process", doc, "/jitd/command/jit_request");

    const json fl =
        doc.contains("/jitd/spa/flood"_json_pointer) ? doc["jitd"]["spa"]["flood"] : json::object();
    out << "\n2. Forged packets\n";
    if (doc.contains("spa_decoder")) {
        out << "   decoder on one core (jitd_bench_spa): "
            << doc["spa_decoder"].value("forged_one_key_per_s", 0.0) << " forged packets/s\n";
    }
    out << "   legitimate SPA request during a flood of "
        << doc.value("/config/flood_rate"_json_pointer, 0) << "/s asked ("
        << whole(fl.value("flood_rate_achieved", 0.0)) << "/s sent) from another address, limit "
        << fl.value("limit_ms", 0) << " ms\n"
        << head;
    line(out, "jitd", doc, "/jitd/spa/flood");
    line(out, "fwknopd, pcap mode", doc, "/fwknopd_pcap/flood");
    line(out, "fwknopd, UDP server mode", doc, "/fwknopd_udp/flood");
    if (doc.contains("/jitd/counters_after"_json_pointer))
        out << "   jitd's remote counters before the flood: "
            << doc["jitd"].value("counters_before_flood", json::object()).dump()
            << ", after it: " << doc["jitd"]["counters_after"].dump() << "\n";

    const int secs = doc.value("/config/expiry_seconds"_json_pointer, 0);
    out << "\n3. Expiry of " << secs << " s grants (fwknop -f " << secs << "): door shut - (sent + "
        << secs << " s), ms (negative = early)\n"
        << head;
    line(out, "jitd (kernel element timeout)", doc, "/jitd/spa/expiry");
    line(out, "fwknopd, pcap mode", doc, "/fwknopd_pcap/expiry");
    line(out, "fwknopd, UDP server mode", doc, "/fwknopd_udp/expiry");
    out << "   the same against (door open + " << secs << " s):\n";
    line(out, "jitd", doc, "/jitd/spa/expiry_from_open");
    line(out, "fwknopd, pcap mode", doc, "/fwknopd_pcap/expiry_from_open");
    line(out, "fwknopd, UDP server mode", doc, "/fwknopd_udp/expiry_from_open");
}

}  // namespace jitd::bench::remote
