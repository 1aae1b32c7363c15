// jitd_bench: issue 7's numbers. jitd against `nft add element` processes and the raw
// libnftnl floor, throughput with concurrent clients, start/reload/restart with many grants,
// memory and idle wake-ups. Runs as root inside its own network namespace; scripts/bench
// builds it in Release and runs it beside a private journald.
#include <unistd.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <string>

#include <CLI/CLI.hpp>

#include "tests/bench/bench_netns.hpp"
#include "tests/bench/daemon_process.hpp"
#include "tests/bench/phases.hpp"
#include "tests/bench/report.hpp"

namespace {

using jitd::bench::BenchConfig;
using nlohmann::json;

#ifdef JIT_REQUEST_BINARY
constexpr const char* kDefaultJitRequest = JIT_REQUEST_BINARY;
#else
constexpr const char* kDefaultJitRequest = "";
#endif
#ifdef JITD_BINARY
constexpr const char* kDefaultJitd = JITD_BINARY;
#else
constexpr const char* kDefaultJitd = "jitd";
#endif

void apply_quick(BenchConfig& cfg, const CLI::App& app) {
    // --quick shortens every phase; sizes given explicitly still win.
    if (app.count("--grants") == 0) cfg.grants = 200;
    if (app.count("--seconds") == 0) cfg.seconds = 2;
    if (app.count("--scale") == 0) cfg.scale = 10000;
    if (app.count("--repeats") == 0) cfg.repeats = 1;
    if (app.count("--idle-seconds") == 0) cfg.idle_seconds = 1;
}

// Runs one phase; a failure is recorded in the document and the other phases still run.
void phase(json& doc, const char* name, const std::function<json()>& fn) {
    std::cerr << "jitd_bench: " << name << " ...\n";
    try {
        doc[name] = fn();
    } catch (const std::exception& e) {
        doc[name] = {{"error", e.what()}};
        std::cerr << "jitd_bench: " << name << " failed: " << e.what() << "\n";
    }
}

int run(int argc, char** argv) {
    BenchConfig cfg;
    std::string jitd_path = kDefaultJitd;
    std::string json_path = "bench-results.json";
    cfg.jit_request = kDefaultJitRequest;
    std::vector<std::string> phases{"idle", "latency", "throughput", "scale", "restore"};

    CLI::App app{"jitd benchmarks (issue 7): jitd vs `nft add element` vs the libnftnl floor",
                 "jitd_bench"};
    app.add_flag("--quick", cfg.quick, "Short run with small sizes (for a smoke test)");
    app.add_option("--grants", cfg.grants, "Sequential grants per method (latency)")
        ->check(CLI::Range(std::size_t{1}, jitd::bench::kMaxGrants))
        ->capture_default_str();
    app.add_option("--clients", cfg.clients, "Concurrent clients (throughput)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    app.add_option("--seconds", cfg.seconds, "Throughput window in seconds")
        ->check(CLI::Range(0.1, 600.0))
        ->capture_default_str();
    app.add_option("--scale", cfg.scale, "Live grants for the scale phase")
        ->check(CLI::Range(4, 1 << 21))
        ->capture_default_str();
    app.add_option("--repeats", cfg.repeats, "Starts, reloads and restarts measured")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    app.add_option("--idle-seconds", cfg.idle_seconds, "Window for counting idle wake-ups")
        ->check(CLI::Range(0.1, 600.0))
        ->capture_default_str();
    app.add_option("--jitd", jitd_path, "The jitd binary to measure")->capture_default_str();
    app.add_option("--jit-request", cfg.jit_request,
                   "The client binary (its own row in the latency table; \"\" leaves it out)")
        ->capture_default_str();
    app.add_option("--json", json_path, "Where to write the results as JSON")
        ->capture_default_str();
    app.add_option("--phase", phases, "Phases to run (idle latency throughput scale restore)")
        ->check(CLI::IsMember({"idle", "latency", "throughput", "scale", "restore"}))
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    if (cfg.quick) apply_quick(cfg, app);
    const std::set<std::string> wanted(phases.begin(), phases.end());

    if (::geteuid() != 0) {
        std::cerr << "jitd_bench: needs root (network namespaces, nftables)\n";
        return 77;
    }

    json doc;
    doc["machine"] = jitd::bench::machine_info();
    doc["config"] = {{"quick", cfg.quick},
                     {"grants", cfg.grants},
                     {"clients", cfg.clients},
                     {"seconds", cfg.seconds},
                     {"scale", cfg.scale},
                     {"repeats", cfg.repeats},
                     {"idle_seconds", cfg.idle_seconds},
                     {"jitd", jitd_path},
                     {"jit_request", cfg.jit_request},
                     {"floor", "raw libnftnl/libmnl loop (tests/bench/raw_floor.cpp)"}};
    try {
        jitd::bench::BenchNetns netns;
        doc["config"]["netns"] = netns.name();
        // Room for every grant the phases make: the policy's maximum.
        jitd::bench::Daemon daemon({.binary = jitd_path});
        // The idle figures come from a fresh daemon; later phases need one running.
        if (wanted.count("idle"))
            phase(doc, "idle", [&] { return jitd::bench::run_idle(daemon, cfg); });
        if (!daemon.running() && (wanted.count("latency") || wanted.count("throughput"))) {
            try {
                daemon.start(0);
            } catch (const std::exception& e) {
                std::cerr << "jitd_bench: jitd does not start: " << e.what() << "\n";
            }
        }
        if (wanted.count("latency"))
            phase(doc, "latency", [&] { return jitd::bench::run_latency(daemon, cfg); });
        if (wanted.count("throughput"))
            phase(doc, "throughput", [&] { return jitd::bench::run_throughput(daemon, cfg); });
        if (wanted.count("scale"))
            phase(doc, "scale", [&] { return jitd::bench::run_scale(daemon, cfg); });
        if (wanted.count("restore"))
            phase(doc, "restore", [&] { return jitd::bench::run_restore(cfg, jitd_path); });
        doc["jitd_log_tail"] = daemon.log_tail(2000);
        daemon.stop();
    } catch (const std::exception& e) {
        std::cerr << "jitd_bench: " << e.what() << "\n";
        doc["error"] = e.what();
    }

    doc["machine"]["loadavg_end"] = jitd::bench::load_average();
    jitd::bench::evaluate_targets(doc);
    jitd::bench::print_table(std::cout, doc);
    std::ofstream(json_path) << doc.dump(2) << "\n";
    std::cout << "\nJSON: " << json_path << "\n";
    return doc.contains("error") ? 1 : 0;
}

}  // namespace

// What escapes (writing the table or the JSON, CLI11's own errors) ends the run with a message.
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "jitd_bench: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "jitd_bench: unknown exception\n";
    }
    return 1;
}
