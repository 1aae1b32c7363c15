// Phase "scale": many live grants, put straight into the kernel (in jitd's comment format, so
// the daemon adopts them), then start, reload and kill -9 restart with all of them in place.
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "nft/netlink.hpp"
#include "nft/operations.hpp"
#include "nft/session.hpp"
#include "tests/bench/cpu_time.hpp"
#include "tests/bench/phases.hpp"
#include "tests/bench/sources.hpp"
#include "tests/bench/stats.hpp"

namespace jitd::bench {
namespace {

// Adds elements [from, to) in transactions of `batch`; returns the mean µs per transaction.
double insert(nft::Session& s, const std::vector<nft::Element>& all, std::size_t from,
              std::size_t to, std::size_t batch) {
    Samples per_tx;
    for (std::size_t i = from; i < to; i += batch) {
        nft::Change change;
        const std::size_t end = std::min(to, i + batch);
        change.add.assign(all.begin() + static_cast<std::ptrdiff_t>(i),
                          all.begin() + static_cast<std::ptrdiff_t>(end));
        auto t0 = Clock::now();
        s.apply(change);
        per_tx.add(micros_since(t0));
    }
    return per_tx.mean();
}

nlohmann::json summary(const Samples& s) {
    return {{"n", s.size()}, {"median_us", s.median()}, {"max_us", s.percentile(100)}};
}

// The four grant sets dumped one after the other on one socket, and at once on four sockets and
// threads (what list_elements does), alternately: wall and CPU time (this process, all threads,
// the kernel's walks included) of each. One thread polling four sockets would be the first:
// the kernel walks a set in the recvmsg() of the thread reading it.
nlohmann::json compare_dumps(std::size_t total, unsigned repeats) {
    nft::Netlink nl;
    std::vector<nft::handles::Socket> none, spares;
    for (int i = 0; i < 3; ++i) spares.push_back(nft::Netlink::open_socket());
    Samples seq_wall, seq_cpu, par_wall, par_cpu;
    auto once = [&](std::vector<nft::handles::Socket>& socks, Samples& wall, Samples& cpu) {
        const double c0 = cpu_seconds(::getpid());
        const auto t0 = Clock::now();
        const auto n = nft::ops::list_elements(nl, socks).size();
        wall.add(micros_since(t0));
        cpu.add((cpu_seconds(::getpid()) - c0) * 1e6);
        if (n != total) throw std::runtime_error("a dump listed " + std::to_string(n));
    };
    for (unsigned r = 0; r < repeats; ++r) {
        once(none, seq_wall, seq_cpu);
        once(spares, par_wall, par_cpu);
    }
    return {{"sequential_wall", summary(seq_wall)},
            {"sequential_cpu", summary(seq_cpu)},
            {"concurrent_wall", summary(par_wall)},
            {"concurrent_cpu", summary(par_cpu)}};
}

// jitd's own account of its last start (Engine::start's log line), e.g. "100000 live grants
// from 100000 kernel elements (install 3 ms, listing 80 ms, rebuild 60 ms)".
std::string start_split(const std::string& log) {
    const auto at = log.rfind("live grants from");
    if (at == std::string::npos) return "";
    const auto begin = log.rfind('\n', at);
    const auto end = log.find('\n', at);
    return log.substr(begin == std::string::npos ? 0 : begin + 1,
                      end == std::string::npos ? std::string::npos : end - begin - 1);
}

}  // namespace

nlohmann::json run_scale(Daemon& d, const BenchConfig& cfg) {
    const std::size_t total = cfg.scale;
    const std::size_t first = std::max<std::size_t>(1, total / 10);
    nlohmann::json out{{"grants", total}, {"checkpoint_grants", first}};

    // Start from an empty table that the daemon itself installed.
    d.stop();
    nft::Session s = nft::Session::open();
    s.remove_table();
    d.start(0);
    d.stop();

    CommentMaker comments;
    const auto elements = scale_elements(total, 0, comments);
    out["insert_us_per_tx"] = insert(s, elements, 0, first, cfg.batch);
    out["batch"] = cfg.batch;

    out["checkpoint_start_ready_us"] = d.start(static_cast<long>(first));
    out["checkpoint_rss_kib"] = d.rss_kib();
    d.stop();

    insert(s, elements, first, total, cfg.batch);

    // The floor for a rebuild: reading every element back from the kernel, nothing else.
    Samples dump;
    for (unsigned r = 0; r < cfg.repeats; ++r) {
        auto t0 = Clock::now();
        const auto listed = s.list_elements();
        dump.add(micros_since(t0));
        if (listed.size() != total)
            throw std::runtime_error("the kernel lists " + std::to_string(listed.size()) +
                                     " elements, not " + std::to_string(total));
    }
    out["kernel_dump"] = summary(dump);
    out["dump_sequential_vs_concurrent"] = compare_dumps(total, cfg.repeats);

    Samples start, reload, kill9;
    for (unsigned r = 0; r < cfg.repeats; ++r) {
        if (r > 0) d.stop();
        start.add(d.start(static_cast<long>(total)));
    }
    out["start_ready"] = summary(start);
    out["rss_kib"] = d.rss_kib();
    out["idle_window_s"] = cfg.idle_seconds;
    out["wakeups"] = idle_wakeups(d, cfg.idle_seconds);

    for (unsigned r = 0; r < cfg.repeats; ++r) {
        auto t0 = Clock::now();
        auto resp = d.request({{"op", "reload"}});
        reload.add(micros_since(t0));
        if (!resp.value("ok", false)) throw std::runtime_error("reload refused: " + resp.dump());
        if (!resp.value("revoked", nlohmann::json::array()).empty())
            throw std::runtime_error("reload revoked grants: " + resp.dump().substr(0, 400));
    }
    out["reload"] = summary(reload);

    // CPU time of the new jitd until it answered with every grant: what the wall time is on a
    // machine shared with other work (the status polls it answers meanwhile are included).
    Samples kill9_cpu;
    for (unsigned r = 0; r < cfg.repeats; ++r) {
        kill9.add(d.kill9_restart(static_cast<long>(total)));
        kill9_cpu.add(cpu_seconds(d.pid()) * 1e6);
    }
    out["kill9_restart"] = summary(kill9);
    out["kill9_restart_cpu"] = summary(kill9_cpu);
    out["start_split"] = start_split(d.log_tail(20000));
    out["rss_kib_after_restart"] = d.rss_kib();

    auto status = d.request({{"op", "status"}});
    out["status_grants"] = status.value("grants", -1L);
    return out;
}

}  // namespace jitd::bench
