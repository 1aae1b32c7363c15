#include "tests/bench/report.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <string>

#include "tests/support/process.hpp"

namespace jitd::bench {
namespace {

using json = nlohmann::json;

std::string cpu_model() {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("model name", 0) == 0) {
            auto colon = line.find(':');
            if (colon != std::string::npos) return line.substr(colon + 2);
        }
    }
    return "unknown";
}

// `v` with `decimals` digits after the point.
std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string time_text(double us) {
    if (us < 10) return fixed(us, 1) + " us";
    if (us < 1000) return fixed(us, 0) + " us";
    if (us < 1e6) return fixed(us / 1e3, 2) + " ms";
    return fixed(us / 1e6, 2) + " s";
}

std::string mib(double kib) {
    return fixed(kib / 1024, 1) + " MiB";
}

// The number at `path` in `doc`, or nullopt when a phase did not produce it.
std::optional<double> num(const json& doc, const json::json_pointer& path) {
    if (!doc.contains(path)) return std::nullopt;
    const json& v = doc.at(path);
    if (!v.is_number()) return std::nullopt;
    return v.get<double>();
}

void target(json& list, const std::string& name, const std::string& goal,
            std::optional<double> measured, const std::string& unit, bool higher_is_better,
            double limit) {
    json t{{"name", name}, {"target", goal}, {"unit", unit}};
    if (measured) {
        t["measured"] = *measured;
        t["pass"] = higher_is_better ? *measured >= limit : *measured <= limit;
    } else {
        t["measured"] = nullptr;
        t["pass"] = nullptr;
    }
    list.push_back(std::move(t));
}

std::string measured_text(const json& t) {
    if (t["measured"].is_null()) return "not measured";
    const double v = t["measured"].get<double>();
    const std::string unit = t["unit"];
    if (unit == "us") return time_text(v);
    if (unit == "KiB") return mib(v);
    if (unit == "x") return fixed(v, 1) + "x";
    if (unit == "grants/s") return fixed(v, 0) + " grants/s";
    return fixed(v, 0) + " " + unit;
}

std::string pad(std::string s, std::size_t width) {
    // Count UTF-8 code points, not bytes, so the columns line up.
    std::size_t cps = 0;
    for (unsigned char c : s) cps += (c & 0xc0) != 0x80;
    if (cps < width) s.append(width - cps, ' ');
    return s;
}

}  // namespace

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string one, five, fifteen;
    f >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

json machine_info() {
    utsname u{};
    ::uname(&u);
    std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    auto nft = test::run({"nft", "--version"});
    std::string nft_version = nft.out;
    while (!nft_version.empty() && nft_version.back() == '\n') nft_version.pop_back();
    return {{"nproc", ::sysconf(_SC_NPROCESSORS_ONLN)},
            {"cpu", cpu_model()},
            {"kernel", std::string(u.sysname) + " " + u.release},
            {"date", date},
            {"nft", nft_version},
            {"loadavg_start", load_average()}};
}

namespace {

// A party's CPU per grant in the throughput window, in µs.
std::optional<double> cpu_per_grant(const json& doc, const char* party) {
    const auto share = num(doc, json::json_pointer("/throughput/cpu_share/" + std::string(party)));
    const auto rate = num(doc, json::json_pointer("/throughput/grants_per_s"));
    if (!share || !rate || *rate <= 0) return std::nullopt;
    return *share * 1e6 / *rate;
}

// What the other parties' measured CPU per grant leaves for 50,000 grants/s on this machine: a
// target that these alone put out of reach is not jitd's to meet.
void add_ceiling(json& doc) {
    constexpr double kTarget = 50000;
    const auto jitd = cpu_per_grant(doc, "jitd"), journald = cpu_per_grant(doc, "journald"),
               clients = cpu_per_grant(doc, "clients");
    const auto cores = num(doc, json::json_pointer("/machine/nproc"));
    if (!jitd || !journald || !clients || !cores) return;
    const double others = *journald + *clients;
    doc["throughput"]["ceiling"] = {
        {"cores_needed_at_50000",
         {{"jitd", *jitd * kTarget / 1e6},
          {"journald", *journald * kTarget / 1e6},
          {"clients", *clients * kTarget / 1e6}}},
        {"grants_per_s_if_jitd_cost_nothing", others > 0 ? *cores * 1e6 / others : 0.0},
        {"grants_per_s_journald_one_thread", *journald > 0 ? 1e6 / *journald : 0.0},
        {"grants_per_s_all_parties", *cores * 1e6 / (others + *jitd)}};
}

}  // namespace

void evaluate_targets(json& doc) {
    json list = json::array();
    const auto p = [](const char* s) { return json::json_pointer(s); };
    auto jitd = num(doc, p("/latency/jitd_open/p50_us"));
    auto nft = num(doc, p("/latency/nft_process/p50_us"));
    auto status = num(doc, p("/latency/jitd_status/p50_us"));
    auto gathered = num(doc, p("/latency/raw_libnftnl_gathered/p50_us"));
    auto cpu = cpu_per_grant(doc, "jitd");
    std::optional<double> speedup, vs_status, vs_floor;
    if (jitd && nft && *jitd > 0) speedup = *nft / *jitd;
    if (jitd && status && *status > 0) vs_status = *jitd / *status;
    if (cpu && gathered && *gathered > 0) vs_floor = *cpu / *gathered;
    // Issue 18's targets first, then issue 7's and 10's that still hold.
    target(list, "throughput, 8 clients", ">= 50000 grants/s",
           num(doc, p("/throughput/grants_per_s")), "grants/s", true, 50000);
    target(list, "throughput p99 latency, 8 clients", "<= 2 ms", num(doc, p("/throughput/p99_us")),
           "us", false, 2000);
    target(list, "jitd CPU per grant (load) vs gathered floor", "<= 5x", vs_floor, "x", false, 5);
    target(list, "open round trip vs status round trip (p50)", "<= 3x", vs_status, "x", false, 3);
    std::optional<double> vs_bare;  // status lists the ruleset too; pending is the bare trip
    if (auto bare = num(doc, p("/latency/jitd_pending/p50_us")); jitd && bare && *bare > 0)
        vs_bare = *jitd / *bare;
    target(list, "open round trip vs pending round trip (p50)", "<= 3x", vs_bare, "x", false, 3);
    const std::string n = doc.contains("/scale/grants"_json_pointer) ? doc["scale"]["grants"].dump()
                                                                     : std::string("100000");
    target(list, "restart after kill -9, " + n + " grants (median)", "<= 250 ms",
           num(doc, p("/scale/kill9_restart/median_us")), "us", false, 250e3);
    target(list, "RSS with " + n + " grants", "<= 48 MiB", num(doc, p("/scale/rss_kib")), "KiB",
           false, 48 * 1024);
    target(list, "RSS idle", "<= 8 MiB", num(doc, p("/idle/rss_kib")), "KiB", false, 8 * 1024);
    target(list, "wake-ups when idle (no grants)", "0", num(doc, p("/idle/wakeups")), "wake-ups",
           false, 0);
    target(list, "wake-ups when idle (" + n + " grants)", "0", num(doc, p("/scale/wakeups")),
           "wake-ups", false, 0);
    target(list, "open round trip vs one nft process (p50)", ">= 20x faster", speedup, "x", true,
           20);
    target(list, "start to ready, " + n + " grants (median)", "<= 1 s",
           num(doc, p("/scale/start_ready/median_us")), "us", false, 1e6);
    target(list, "reload, " + n + " grants (median)", "<= 1 s",
           num(doc, p("/scale/reload/median_us")), "us", false, 1e6);
    target(list, "exposure after nft flush ruleset (median of 50)", "<= 5 ms",
           num(doc, p("/restore/no_grants/median_us")), "us", false, 5000);
    std::optional<double> big;
    if (doc.contains(p("/restore/with_grants")))
        for (const auto& w : doc["restore"]["with_grants"])
            if (w.value("grants", 0) >= 100000) big = w["restore_tx"].value("median_us", 0.0);
    target(list, "restore of 100000 grants (median)", "<= 500 ms", big, "us", false, 500000);
    doc["targets"] = std::move(list);
    add_ceiling(doc);
}

namespace {

// 1. Grant latency per method.
void print_latency(std::ostream& os, const json& doc) {
    if (doc.contains("latency") && !doc["latency"].contains("error")) {
        const json& l = doc["latency"];
        os << "1. Grant latency, " << l["grants"] << " sequential grants per method\n   "
           << pad("", 46) << pad("p50", 12) << "p99\n";
        const std::pair<const char*, const char*> rows[] = {
            {"jitd_open", "jitd `open` (socket round trip)"},
            {"jitd_open_fresh_connection", "jitd `open`, a new connection each"},
            {"jit_request_process", "`jit-request open` (one process each)"},
            {"nft_process", "`nft add element` (one process each)"},
            {"raw_libnftnl", "raw libnftnl, one transaction each"},
            {"session_apply", "nft::Session::apply, one element"},
            {"raw_libnftnl_gathered", "raw libnftnl, 8 per transaction (per grant)"},
            {"jitd_status", "(jitd `status` round trip)"},
            {"jitd_pending", "(jitd `pending` round trip, none pending)"},
            {"journal_send", "(sd_journal_sendv, one grant entry)"}};
        for (const auto& [key, label] : rows) {
            if (!l.contains(key)) continue;
            os << "   " << pad(label, 46) << pad(time_text(l[key]["p50_us"]), 12)
               << time_text(l[key]["p99_us"]) << "\n";
        }
        const double j = l["jitd_open"]["p50_us"], n = l["nft_process"]["p50_us"],
                     r = l["raw_libnftnl"]["p50_us"], st = l["jitd_status"]["p50_us"];
        os << "   nft process / jitd = " << fixed(n / j, 1) + "x"
           << "    jitd / raw floor = " << fixed(j / r, 2) + "x"
           << "    jitd open / status = " << fixed(j / st, 2) + "x"
           << (l.contains("jitd_pending")
                   ? "    / pending = " + fixed(j / l["jitd_pending"]["p50_us"].get<double>(), 2) +
                         "x"
                   : std::string())
           << "\n"
           << "   opens refused as audit_unavailable (journald behind) and retried: "
           << l.value("audit_unavailable_retries", 0L) << "\n"
           << "   (the floors run in a namespace of their own, jitd-bench-<pid>-floor: in jitd's\n"
           << "   they would be foreign changes, which jitd undoes by restoring its table)\n\n";
    } else if (doc.contains("latency")) {
        os << "1. Grant latency: not measured: " << doc["latency"]["error"].get<std::string>()
           << "\n\n";
    }
}

// 2. Throughput with the CPU share of each party.
void print_throughput(std::ostream& os, const json& doc) {
    if (doc.contains("throughput") && !doc["throughput"].contains("error")) {
        const json& t = doc["throughput"];
        const json& m = doc["machine"];
        os << "2. Throughput, " << t["clients"] << " clients, " << fixed(t["window_s"], 1) + " s"
           << (t.value("stopped_at_limit", false) ? " (ended at max_grants_per_user)" : "") << ": "
           << fixed(t["grants_per_s"], 0) + " grants/s"
           << ", p50 " << time_text(t["p50_us"]) << ", p99 " << time_text(t["p99_us"])
           << ", refused " << t["refused"] << " (audit_unavailable "
           << t.value("refused_audit_unavailable", 0L) << ")\n";
        if (t.contains("cpu_share")) {
            const json& cpu = t["cpu_share"];
            os << "   CPU in use, in cores of " << m["nproc"] << ": jitd " << fixed(cpu["jitd"], 2)
               << ", journald " << fixed(cpu["journald"], 2) << ", clients "
               << fixed(cpu["clients"], 2) << "; idle " << fixed(cpu["idle"], 2) << ", stolen "
               << fixed(cpu["steal"], 2) << "\n"
               << "   CPU per grant: jitd "
               << time_text(cpu["jitd"].get<double>() * 1e6 / t["grants_per_s"].get<double>())
               << ", journald "
               << time_text(cpu["journald"].get<double>() * 1e6 / t["grants_per_s"].get<double>())
               << ", client "
               << time_text(cpu["clients"].get<double>() * 1e6 / t["grants_per_s"].get<double>())
               << "\n"
               << "   per grant, jitd slept " << fixed(t["jitd_sleeps_per_grant"], 2)
               << " times and was preempted " << fixed(t["jitd_preemptions_per_grant"], 2)
               << " times\n";
        }
        if (t.contains("ceiling")) {
            const json& c = t["ceiling"];
            const json& need = c["cores_needed_at_50000"];
            os << "   at 50000 grants/s these costs need jitd " << fixed(need["jitd"], 2)
               << ", journald " << fixed(need["journald"], 2) << ", clients "
               << fixed(need["clients"], 2) << " cores (of " << m["nproc"] << ")\n"
               << "   ceiling from them: all parties " << fixed(c["grants_per_s_all_parties"], 0)
               << " grants/s; with jitd costing "
               << "nothing " << fixed(c["grants_per_s_if_jitd_cost_nothing"], 0)
               << "; journald's one thread " << fixed(c["grants_per_s_journald_one_thread"], 0)
               << "\n";
        }
        if (const auto cpu = cpu_per_grant(doc, "jitd");
            cpu && doc.contains("/latency/raw_libnftnl_gathered/p50_us"_json_pointer))
            os << "   jitd CPU per grant / gathered floor ("
               << time_text(doc["latency"]["raw_libnftnl_gathered"]["p50_us"]) << " per element) = "
               << fixed(*cpu / doc["latency"]["raw_libnftnl_gathered"]["p50_us"].get<double>(), 1)
               << "x\n";
        os << "\n";
    } else if (doc.contains("throughput")) {
        os << "2. Throughput: not measured: " << doc["throughput"]["error"].get<std::string>()
           << "\n\n";
    }
}

// 3. Start, reload and restart with many live grants.
void print_scale(std::ostream& os, const json& doc) {
    if (doc.contains("scale") && !doc["scale"].contains("error")) {
        const json& s = doc["scale"];
        os << "3. Scale, " << s["grants"] << " live grants (hosts and prefixes, IPv4 and IPv6)\n"
           << "   start to ready         " << time_text(s["start_ready"]["median_us"])
           << " (median of " << s["start_ready"]["n"] << ")\n"
           << "   (kernel dump of all)   " << time_text(s["kernel_dump"]["median_us"])
           << " (nft::Session::list_elements)\n";
        if (s.contains("dump_sequential_vs_concurrent")) {
            const json& c = s["dump_sequential_vs_concurrent"];
            os << "   (dump, sets in turn)   " << time_text(c["sequential_wall"]["median_us"])
               << " wall, " << time_text(c["sequential_cpu"]["median_us"]) << " CPU\n"
               << "   (dump, sets at once)   " << time_text(c["concurrent_wall"]["median_us"])
               << " wall, " << time_text(c["concurrent_cpu"]["median_us"])
               << " CPU (4 sockets and threads)\n";
        }
        os << "   reload (op reload)     " << time_text(s["reload"]["median_us"]) << "\n"
           << "   kill -9, then ready    " << time_text(s["kill9_restart"]["median_us"]) << " (max "
           << time_text(s["kill9_restart"]["max_us"]) << "); jitd's CPU until ready "
           << time_text(s["kill9_restart_cpu"]["median_us"]) << "\n"
           << "   jitd's log: " << s.value("start_split", std::string("-")) << "\n"
           << "   start to ready with " << s["checkpoint_grants"] << ": "
           << time_text(s["checkpoint_start_ready_us"]) << "; kernel insert "
           << time_text(s["insert_us_per_tx"]) << " per " << s["batch"]
           << "-element transaction\n\n";
    } else if (doc.contains("scale")) {
        os << "3. Scale: not measured: " << doc["scale"]["error"].get<std::string>() << "\n\n";
    }
}

// 5. Exposure after `nft flush ruleset`.
void print_restore(std::ostream& os, const json& doc) {
    if (doc.contains("restore") && !doc["restore"].contains("error")) {
        const json& r = doc["restore"];
        const json& w = r["no_grants"];
        os << "5. nft flush ruleset under jitd (exposure: flush returned -> port 22 refuses "
              "again)\n"
           << "   no grants              exposure median " << time_text(w["median_us"]) << ", max "
           << time_text(w["max_us"]) << " (" << w["n"] << " rounds, " << w["rounds_seen_open"]
           << " seen open)\n";
        for (const auto& g : r["with_grants"])
            os << "   " << pad(g["grants"].dump() + " grants", 23) << "exposure median "
               << time_text(g["window"]["median_us"]) << ", max "
               << time_text(g["window"]["max_us"]) << "; restore transaction median "
               << time_text(g["restore_tx"]["median_us"]) << " (" << g["restore_tx"]["n"] << ")\n";
        os << "\n";
    } else if (doc.contains("restore")) {
        os << "5. Restore: not measured: " << doc["restore"]["error"].get<std::string>() << "\n\n";
    }
}

// 4. Memory and wake-ups.
void print_memory(std::ostream& os, const json& doc) {
    os << "4. Memory and wake-ups\n";
    if (doc.contains("idle") && !doc["idle"].contains("error"))
        os << "   idle, no grants        RSS " << mib(doc["idle"]["rss_kib"]) << ", "
           << doc["idle"]["wakeups"] << " wake-ups in " << doc["idle"]["idle_window_s"] << " s\n";
    if (doc.contains("scale") && !doc["scale"].contains("error")) {
        const json& s = doc["scale"];
        os << "   with " << pad(s["checkpoint_grants"].dump() + " grants", 18) << "RSS "
           << mib(s["checkpoint_rss_kib"]) << "\n"
           << "   with " << pad(s["grants"].dump() + " grants", 18) << "RSS " << mib(s["rss_kib"])
           << ", " << s["wakeups"] << " wake-ups in " << s["idle_window_s"] << " s idle\n";
    }
}

// Each target with its verdict.
void print_targets(std::ostream& os, const json& doc) {
    os << "\nTargets\n";
    for (const auto& t : doc["targets"]) {
        std::string verdict =
            t["pass"].is_null() ? "n/a" : (t["pass"].get<bool>() ? "PASS" : "MISS");
        os << "   " << pad(verdict, 6) << pad(t["name"].get<std::string>(), 50)
           << pad(measured_text(t), 16) << "target " << t["target"].get<std::string>() << "\n";
    }
}

}  // namespace

void print_table(std::ostream& os, const json& doc) {
    const json& m = doc["machine"];
    const json& c = doc["config"];
    os << "jitd benchmark: " << m["nproc"] << " cores, " << m["cpu"].get<std::string>() << ", "
       << m["kernel"].get<std::string>() << ", " << m["date"].get<std::string>()
       << (c.value("quick", false) ? "  (--quick: reduced sizes)" : "") << "\n"
       << "   load average at start " << m.value("loadavg_start", std::string("?")) << ", at end "
       << m.value("loadavg_end", std::string("?")) << "\n\n";

    print_latency(os, doc);
    print_throughput(os, doc);
    print_scale(os, doc);
    print_restore(os, doc);
    print_memory(os, doc);
    print_targets(os, doc);
}

}  // namespace jitd::bench
