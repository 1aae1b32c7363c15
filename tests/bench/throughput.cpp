// Phase "throughput": concurrent clients, each on its own connection, opening grants with
// distinct sources as fast as the daemon answers.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/bench/cpu_time.hpp"
#include "tests/bench/phases.hpp"
#include "tests/bench/sources.hpp"
#include "tests/bench/stats.hpp"
#include "tests/support/socket_client.hpp"

namespace jitd::bench {
namespace {

// Client t uses 10.0.0.0 + kBase + t * stride + k: above the latency phase's ranges.
constexpr std::uint32_t kBase = 0x400000;

struct ClientResult {
    Samples latency;
    Clock::time_point last_ok{};
    long refused = 0;
    long journal_behind = 0;  // of them, audit_unavailable (journald not keeping up)
    std::string first_error;
};

double per_grant(long events, std::size_t grants) {
    return grants == 0 ? 0.0 : static_cast<double>(events) / static_cast<double>(grants);
}

// What the clients of one window share: the start signal, the stop flag, the window, and how
// many addresses each client has.
struct Window {
    std::atomic<bool> go{false}, stop{false}, hit_limit{false};
    Clock::time_point start{};  // written before go
    Clock::duration length{};
    std::uint32_t stride = 0;
};

// Client t: opens until the window ends, the per-user cap refuses it, or a request fails.
void run_client(Window& w, unsigned t, test::SocketClient& conn, ClientResult& res) {
    while (!w.go.load()) std::this_thread::yield();
    const auto deadline = w.start + w.length;
    for (std::uint32_t k = 0; k < w.stride && !w.stop.load(); ++k) {
        if (Clock::now() >= deadline) break;
        nlohmann::json req{{"op", "open"},
                           {"port", 22},
                           {"protocol", "tcp"},
                           {"source", host4_text(kBase + t * w.stride + k)},
                           {"duration", "1h"}};
        auto t0 = Clock::now();
        nlohmann::json r;
        try {
            r = conn.request(req, std::chrono::seconds(30));
        } catch (const std::exception& e) {
            res.first_error = e.what();
            w.stop = true;
            break;
        }
        const double us = micros_since(t0);
        if (r.value("ok", false)) {
            res.latency.add(us);
            res.last_ok = Clock::now();
            continue;
        }
        ++res.refused;
        if (r["error"].value("code", "") == "audit_unavailable") ++res.journal_behind;
        if (res.first_error.empty()) res.first_error = r.dump();
        // The per-user cap ends the window early: past it every open is refused.
        if (r["error"].value("code", "") == "limit_reached") {
            w.hit_limit = true;
            w.stop = true;
        }
    }
}

}  // namespace

nlohmann::json run_throughput(Daemon& d, const BenchConfig& cfg) {
    Window w;
    w.stride = (0x1000000u - kBase) / std::max(1u, cfg.clients);
    w.length =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(cfg.seconds));
    std::vector<ClientResult> results(cfg.clients);
    std::vector<test::SocketClient> conns;
    conns.reserve(cfg.clients);
    for (unsigned t = 0; t < cfg.clients; ++t)
        conns.push_back(test::SocketClient::connect(d.socket()));

    std::vector<std::thread> threads;
    threads.reserve(cfg.clients);
    for (unsigned t = 0; t < cfg.clients; ++t)
        threads.emplace_back([&, t] { run_client(w, t, conns[t], results[t]); });
    // CPU time of the three parties over the window: who saturates the cores.
    const pid_t journald = private_journald();
    const double jitd_cpu0 = cpu_seconds(d.pid()), journald_cpu0 = cpu_seconds(journald),
                 self_cpu0 = cpu_seconds(::getpid());
    const auto jitd_switches0 = d.context_switches();
    const MachineCpu machine0 = machine_cpu();
    const auto t_start = Clock::now();
    w.start = t_start;
    w.go = true;
    for (auto& th : threads) th.join();
    const auto t_end = Clock::now();
    const double wall = std::chrono::duration<double>(t_end - t_start).count();
    const auto jitd_switches1 = d.context_switches();
    const MachineCpu machine1 = machine_cpu();
    const nlohmann::json cpu_share{
        {"idle", (machine1.idle - machine0.idle) / wall},
        {"steal", (machine1.steal - machine0.steal) / wall},
        {"jitd", (cpu_seconds(d.pid()) - jitd_cpu0) / wall},
        {"journald", journald > 0 ? (cpu_seconds(journald) - journald_cpu0) / wall : 0.0},
        {"clients", (cpu_seconds(::getpid()) - self_cpu0) / wall}};

    Samples all;
    long refused = 0, journal_behind = 0;
    std::string first_error;
    Clock::time_point last_ok = t_start;
    for (const auto& r : results) {
        all.append(r.latency);
        refused += r.refused;
        journal_behind += r.journal_behind;
        if (first_error.empty()) first_error = r.first_error;
        last_ok = std::max(last_ok, r.last_ok);
    }
    // Grants per second over the window in which grants were being made.
    const auto measured_end = w.hit_limit ? last_ok : t_end;
    const double secs = std::chrono::duration<double>(measured_end - t_start).count();
    nlohmann::json out{
        {"clients", cfg.clients},
        {"window_s", secs},
        {"grants", all.size()},
        {"grants_per_s", secs > 0 ? static_cast<double>(all.size()) / secs : 0.0},
        {"p50_us", all.median()},
        {"p99_us", all.percentile(99)},
        {"refused", refused},
        {"refused_audit_unavailable", journal_behind},
        {"stopped_at_limit", w.hit_limit.load()},
        {"cpu_share", cpu_share},
        {"jitd_sleeps_per_grant",
         per_grant(jitd_switches1.voluntary - jitd_switches0.voluntary, all.size())},
        {"jitd_preemptions_per_grant",
         per_grant(jitd_switches1.involuntary - jitd_switches0.involuntary, all.size())}};
    if (!first_error.empty()) out["first_error"] = first_error;
    return out;
}

}  // namespace jitd::bench
