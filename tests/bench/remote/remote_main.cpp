// jitd_bench_remote: issues 13 and 14's figures side by side. In one pair of private network
// namespaces (server: the service and a listener on tcp/22; client: the senders, on addresses of
// their own): packet-to-open-door latency for jitd with the stock fwknop client's packets and
// with ssh-agent signed requests, and for Debian's fwknopd in pcap and UDP-server mode; the
// same during a forged flood from another address; the whole client commands; how close to the
// nominal end the door shuts. Run by `scripts/bench --remote` beside a private journald.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include <CLI/CLI.hpp>

#include "tests/bench/remote/remote_report.hpp"
#include "tests/bench/remote/runs.hpp"
#include "tests/bench/report.hpp"
#include "tests/integration/remote/remote_support.hpp"
#include "tests/integration/remote/ssh_support.hpp"
#include "tests/support/process.hpp"

namespace {

using namespace jitd::bench::remote;
using nlohmann::json;

#ifdef JIT_REQUEST_BINARY
constexpr const char* kDefaultJitRequest = JIT_REQUEST_BINARY;
#else
constexpr const char* kDefaultJitRequest = "jit-request";
#endif

std::string load_average() {
    std::string s = jitd::test::read_file("/proc/loadavg");
    const auto cut = s.find(' ', s.find(' ', s.find(' ') + 1) + 1);
    return cut == std::string::npos ? s : s.substr(0, cut);
}

// jitd_bench_spa's figure for forged packets with one key (it prints "...: N/s").
json spa_decoder(const std::string& binary) {
    const auto r = jitd::test::run({binary, "2"});
    std::smatch m;
    static const std::regex re("forged packets, one key: ([0-9]+)/s");
    json j = {{"output", r.out}};
    if (r.exit_code == 0 && std::regex_search(r.out, m, re))
        j["forged_one_key_per_s"] = std::stod(m[1]);
    else
        j["error"] = "jitd_bench_spa failed: " + r.err;
    return j;
}

void guarded(json& doc, const char* key, const std::function<json()>& fn) {
    try {
        doc[key] = fn();
    } catch (const std::exception& e) {
        std::cerr << "jitd_bench_remote: " << key << " failed: " << e.what() << "\n";
        doc[key] = {{"error", e.what()}};
    }
}

int run(int argc, char** argv) {
    RunConfig cfg;
    cfg.jit_request = kDefaultJitRequest;
    std::string jitd_path, spa_bench, json_path = "bench-remote-results.json";
    std::vector<std::string> phases{"latency", "command", "flood", "expiry"};
    std::vector<std::string> servers{"jitd", "fwknopd-pcap", "fwknopd-udp"};
    bool quick = false;
    CLI::App app{"jitd remote requests vs fwknopd: door-open latency, flood, expiry",
                 "jitd_bench_remote"};
    app.add_flag("--quick", quick, "5 requests and 2 expiry rounds (a smoke test)");
    // Each request takes a client address of its own: 3 rows x 50 + 40 rounds <= 200.
    app.add_option("--requests", cfg.requests, "Requests per latency row")
        ->check(CLI::Range(1, 50))
        ->capture_default_str();
    app.add_option("--expiry-rounds", cfg.expiry_rounds, "Grants timed to their end")
        ->check(CLI::Range(1, 40))
        ->capture_default_str();
    app.add_option("--expiry-seconds", cfg.expiry_seconds, "Their duration (fwknop -f)")
        ->check(CLI::Range(1, 300))
        ->capture_default_str();
    app.add_option("--flood-rate", cfg.flood_rate, "Forged packets per second")
        ->check(CLI::Range(1, 2000000))
        ->capture_default_str();
    app.add_option("--jitd", jitd_path, "The jitd binary (default: the build's)");
    app.add_option("--jit-request", cfg.jit_request, "The client binary")->capture_default_str();
    app.add_option("--spa-bench", spa_bench, "jitd_bench_spa, for the decoder's rejection rate");
    app.add_option("--json", json_path, "Where to write the results")->capture_default_str();
    app.add_option("--phase", phases, "latency command flood expiry")
        ->check(CLI::IsMember({"latency", "command", "flood", "expiry"}))
        ->capture_default_str();
    app.add_option("--server", servers, "jitd fwknopd-pcap fwknopd-udp")
        ->check(CLI::IsMember({"jitd", "fwknopd-pcap", "fwknopd-udp"}))
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    if (quick) {
        if (app.count("--requests") == 0) cfg.requests = 5;
        if (app.count("--expiry-rounds") == 0) cfg.expiry_rounds = 2;
    }
    cfg.phases = {phases.begin(), phases.end()};
    const std::set<std::string> wanted(servers.begin(), servers.end());
    if (::geteuid() != 0) {
        std::cerr << "jitd_bench_remote: needs root (network namespaces, nftables, iptables)\n";
        return 77;
    }
    if (!jitd_path.empty()) ::setenv("JITD_BINARY", jitd_path.c_str(), 1);

    json doc;
    doc["machine"] = jitd::bench::machine_info();
    doc["load_start"] = load_average();
    doc["config"] = {{"requests", cfg.requests},
                     {"expiry_rounds", cfg.expiry_rounds},
                     {"expiry_seconds", cfg.expiry_seconds},
                     {"flood_rate", cfg.flood_rate},
                     {"phases", phases},
                     {"servers", servers},
                     {"fwknopd", jitd::test::run({"fwknopd", "--version"}).out}};
    if (!spa_bench.empty()) guarded(doc, "spa_decoder", [&] { return spa_decoder(spa_bench); });
    try {
        jitd::test::KeysDir keys;  // root.fwknop (and root.pub below), 0600, for jitd
        const auto pair = keys.add("root");
        const SpaKeys spa{pair.key_b64, pair.hmac_b64};
        jitd::test::SshKeys ssh;
        const std::string key = ssh.make_key("bench", "ed25519");
        ssh.add_to_agent(key);
        std::ofstream(keys.path() + "/root.pub") << ssh.public_line(key) << "\n";
        ::setenv("SSH_AUTH_SOCK", ssh.agent_socket().c_str(), 1);
        cfg.work_dir = keys.path();
        RunConfig jitd_cfg = cfg;
        if (wanted.count("jitd") == 0) jitd_cfg.phases.clear();
        run_jitd(doc, keys.path(), spa, jitd_cfg,
                 [&](jitd::test::TestNet& net, const AddressList& addrs) {
                     RunConfig f = cfg;
                     f.phases.erase("command");  // the same client as jitd's row
                     if (wanted.count("fwknopd-pcap"))
                         guarded(doc, "fwknopd_pcap", [&] {
                             return run_fwknopd(net, addrs, spa, FwknopdMode::pcap, f);
                         });
                     if (wanted.count("fwknopd-udp"))
                         guarded(doc, "fwknopd_udp", [&] {
                             return run_fwknopd(net, addrs, spa, FwknopdMode::udp_server, f);
                         });
                 });
    } catch (const std::exception& e) {
        std::cerr << "jitd_bench_remote: " << e.what() << "\n";
        doc["error"] = e.what();
    }
    doc["load_end"] = load_average();
    print_remote_table(std::cout, doc);
    std::ofstream(json_path) << doc.dump(2) << "\n";
    std::cout << "\nJSON: " << json_path << "\n";
    return doc.contains("error") ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "jitd_bench_remote: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "jitd_bench_remote: unknown exception\n";
    }
    return 1;
}
