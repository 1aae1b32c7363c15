// The benchmark's measurements, one function per phase. Each returns its figures as JSON
// (numbers in microseconds unless the key says otherwise); report.cpp turns them into the
// table and the PASS/MISS lines.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/bench/daemon_process.hpp"

namespace jitd::bench {

// Address ranges per method keep the latency phase below this many grants.
inline constexpr std::size_t kMaxGrants = 0x70000;

struct BenchConfig {
    bool quick = false;
    std::size_t grants = 2000;   // sequential grants per method (latency)
    unsigned clients = 8;        // concurrent clients (throughput)
    double seconds = 10;         // throughput window
    std::size_t scale = 100000;  // live grants for the scale phase
    unsigned repeats = 5;        // restarts and reloads measured (median reported)
    double idle_seconds = 5;     // window for counting idle wake-ups
    std::size_t batch = 10000;   // elements per transaction when filling the table
    std::string jit_request;     // the client binary; empty: its row is left out
};

// RSS right after start, and context switches over an idle window (no client connected).
nlohmann::json run_idle(Daemon& d, const BenchConfig& cfg);
// Sequential grants: jitd over its socket, `nft add element` processes, the raw libnftnl
// floor and nft::Session::apply, interleaved in chunks so that drift hits all alike.
nlohmann::json run_latency(Daemon& d, const BenchConfig& cfg);
// `clients` connections opening grants as fast as they can for `seconds`.
nlohmann::json run_throughput(Daemon& d, const BenchConfig& cfg);
// Fills the table to `scale` adopted grants, measures start, reload, kill -9 restart, RSS and
// idle wake-ups with them in place. Stops the daemon and empties the table first.
nlohmann::json run_scale(Daemon& d, const BenchConfig& cfg);

// Issue 10: `nft flush ruleset` under a running jitd: the exposure window until port 22 refuses
// again (no grants, then 10k and `scale` live grants) and jitd's restore transaction time.
// Runs its own jitd (`jitd` binary) in a server/client namespace pair.
nlohmann::json run_restore(const BenchConfig& cfg, const std::string& jitd);

// Idle wake-ups of the daemon over `seconds` (the caller holds no connection).
long idle_wakeups(const Daemon& d, double seconds);

}  // namespace jitd::bench
