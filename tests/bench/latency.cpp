// Phase "latency": the cost of one grant by each way of making it, one after the other.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nft/session.hpp"
#include "tests/bench/journal_floor.hpp"
#include "tests/bench/phases.hpp"
#include "tests/bench/raw_floor.hpp"
#include "tests/bench/sources.hpp"
#include "tests/bench/stats.hpp"
#include "tests/bench/timed_spawn.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/socket_client.hpp"

namespace jitd::bench {
namespace {

// Disjoint address ranges per method (10.0.0.0 + n), so no grant supersedes another.
constexpr std::uint32_t kJitdBase = 0x010000;
constexpr std::uint32_t kFreshBase = 0x080000;
constexpr std::uint32_t kCliBase = 0x180000;
constexpr std::uint32_t kNftBase = 0x100000;
constexpr std::uint32_t kRawBase = 0x200000;
constexpr std::uint32_t kSessionBase = 0x300000;
constexpr std::uint32_t kGatheredBase = 0x380000;
constexpr std::size_t kGathered = 8;  // as many as there are clients in the throughput phase
constexpr std::size_t kChunk = 104;   // a multiple of kGathered

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// How many IPv4 host grants for port 22 the kernel holds in [base, base + n): every method
// must really have added its grants.
std::size_t count_in_kernel(const std::vector<nft::ListedElement>& all, std::uint32_t base,
                            std::size_t n) {
    std::size_t found = 0;
    for (const auto& e : all) {
        const auto& p = e.key.source;
        if (p.family != nft::Prefix::Family::ipv4 || !p.is_host()) continue;
        const std::uint32_t a =
            (std::uint32_t{p.bytes[0]} << 24) | (p.bytes[1] << 16) | (p.bytes[2] << 8) | p.bytes[3];
        const std::uint32_t off = a - 0x0A000000u;
        if (p.bytes[0] == 10 && off >= base && off - base < n) ++found;
    }
    return found;
}

nlohmann::json summary(const Samples& s) {
    return {{"n", s.size()},
            {"p50_us", s.median()},
            {"p99_us", s.percentile(99)},
            {"mean_us", s.mean()}};
}

// A jitd open of port 22 for each address base + [done, end): over `client`, or over a fresh
// connection per request (as jit-request does) when it is null. An open refused because the
// journal is not keeping up (audit_unavailable: jitd makes no change it cannot journal, and a
// private journald on a busy machine falls behind) is counted in `retries` and tried again.
void time_opens(test::SocketClient* client, const std::string& socket, std::uint32_t base,
                std::size_t done, std::size_t end, Samples& out, long& retries) {
    constexpr int kAttempts = 1000;
    for (std::size_t i = done; i < end; ++i) {
        nlohmann::json req{{"op", "open"},
                           {"port", 22},
                           {"protocol", "tcp"},
                           {"source", host4_text(base + static_cast<std::uint32_t>(i))},
                           {"duration", "1h"}};
        for (int attempt = 1;; ++attempt) {
            auto t0 = Clock::now();
            auto r =
                client ? client->request(req, std::chrono::seconds(30))
                       : test::SocketClient::connect(socket).request(req, std::chrono::seconds(30));
            const double us = micros_since(t0);
            if (r.value("ok", false)) {
                out.add(us);
                break;
            }
            const bool journal_behind =
                r.contains("error") && r["error"].value("code", "") == "audit_unavailable";
            if (!journal_behind || attempt == kAttempts)
                throw std::runtime_error("jitd refused open: " + r.dump());
            ++retries;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));  // let journald drain
        }
    }
}

// One `jit-request open` process, tried again (and counted) while jitd refuses it as
// audit_unavailable, as time_opens does.
double cli_open(const std::string& binary, const std::string& socket, const std::string& addr,
                long& retries) {
    for (int attempt = 1;; ++attempt) {
        try {
            return jit_request_open(binary, socket, addr);
        } catch (const std::runtime_error& e) {
            if (std::string(e.what()).find("audit_unavailable") == std::string::npos ||
                attempt == 1000)
                throw;
            ++retries;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
}

// The libnftnl floor: one element per transaction, and kGathered per transaction.
void time_floor(RawFloor& floor, CommentMaker& comments, std::size_t done, std::size_t end,
                Samples& raw, Samples& gathered) {
    for (std::size_t i = done; i < end; ++i) {
        std::string c = comments.next(0, now_unix());
        auto t0 = Clock::now();
        floor.add_host4(kRawBase + static_cast<std::uint32_t>(i), std::chrono::hours(1), c);
        raw.add(micros_since(t0));
    }
    for (std::size_t i = done; i < end; i += kGathered) {
        std::vector<std::string> batch;
        for (std::size_t k = i; k < std::min(end, i + kGathered); ++k)
            batch.push_back(comments.next(0, now_unix()));
        auto t0 = Clock::now();
        floor.add_hosts4(kGatheredBase + static_cast<std::uint32_t>(i), batch,
                         std::chrono::hours(1));
        gathered.add(micros_since(t0) / static_cast<double>(batch.size()));
    }
}

// nft::Session::apply, the daemon's own kernel path, one element per change.
void time_session(nft::Session& sess, CommentMaker& comments, std::size_t done, std::size_t end,
                  Samples& out) {
    for (std::size_t i = done; i < end; ++i) {
        nft::Change change;
        change.add.push_back(host4_element(kSessionBase + static_cast<std::uint32_t>(i),
                                           comments.next(0, now_unix())));
        auto t0 = Clock::now();
        sess.apply(change);
        out.add(micros_since(t0));
    }
}

// The methods that write table inet jitd behind jitd's back (nft processes, raw libnftnl,
// nft::Session) run in a namespace of their own holding the same table: in jitd's namespace
// each of their elements is a foreign change, which jitd undoes by restoring its table (issue
// 10), so their grants would vanish and the restores would disturb jitd's own rows. No
// nf_tables listener runs there, so the kernel builds no event messages for them: a true floor.
class FloorNetns {
  public:
    FloorNetns() : ns_("jitd-bench-" + std::to_string(::getpid()) + "-floor") {
        ns_.run([&] {
            nft::Session s = nft::Session::open();
            nft::TableSpec spec;
            spec.protected_ports.push_back({nft::L4::tcp, 22});
            s.install(spec);
            sess_.emplace(std::move(s));
            raw_.emplace();
        });
    }
    // Runs `fn` on a thread in the namespace: what it spawns (the nft processes) lives there.
    void run(const std::function<void()>& fn) const { ns_.run(fn); }
    nft::Session& session() { return *sess_; }
    RawFloor& raw() { return *raw_; }

  private:
    test::Netns ns_;
    std::optional<nft::Session> sess_;  // sockets opened in the namespace stay in it
    std::optional<RawFloor> raw_;
};

}  // namespace

nlohmann::json run_latency(Daemon& d, const BenchConfig& cfg) {
    if (cfg.grants > kMaxGrants) throw std::invalid_argument("latency: too many grants");
    Samples jitd, fresh, cli, status, bare, journal, nft_cli, raw, gathered, session;
    long journal_retries = 0;
    CommentMaker comments;
    FloorNetns floor_ns;
    RawFloor& floor = floor_ns.raw();
    nft::Session& sess = floor_ns.session();
    auto client = test::SocketClient::connect(d.socket());

    for (std::size_t done = 0; done < cfg.grants; done += kChunk) {
        const std::size_t end = std::min(cfg.grants, done + kChunk);
        time_opens(&client, d.socket(), kJitdBase, done, end, jitd, journal_retries);
        // A client that connects per request, as jit-request does; and jit-request itself.
        time_opens(nullptr, d.socket(), kFreshBase, done, end, fresh, journal_retries);
        if (!cfg.jit_request.empty()) {
            for (std::size_t i = done; i < end; ++i)
                cli.add(cli_open(cfg.jit_request, d.socket(),
                                 host4_text(kCliBase + static_cast<std::uint32_t>(i)),
                                 journal_retries));
        }
        // What the daemon costs without touching the kernel: a status round trip, and the
        // sender's side of one audit entry.
        // `status` also lists the ruleset's chains (other_input_drop_chains) and the listening
        // ports (recommended): `pending` with nothing pending is the bare round trip.
        for (const char* op : {"status", "pending"}) {
            for (std::size_t i = done; i < end; ++i) {
                auto t0 = Clock::now();
                auto r = client.request({{"op", op}}, std::chrono::seconds(30));
                (op[0] == 's' ? status : bare).add(micros_since(t0));
                if (!r.value("ok", false))
                    throw std::runtime_error(std::string(op) + " failed: " + r.dump());
            }
        }
        for (std::size_t i = done; i < end; ++i)
            journal.add(journal_send_grant_like(static_cast<unsigned>(i)));
        floor_ns.run([&] {
            for (std::size_t i = done; i < end; ++i)
                nft_cli.add(nft_add_element(host4_text(kNftBase + static_cast<std::uint32_t>(i)),
                                            comments.next(0, now_unix())));
        });
        time_floor(floor, comments, done, end, raw, gathered);
        time_session(sess, comments, done, end, session);
    }
    const auto listed = sess.list_elements();
    const auto jitd_listed = nft::Session::open().list_elements();  // jitd's namespace
    nlohmann::json in_kernel{
        {"jitd_open", count_in_kernel(jitd_listed, kJitdBase, cfg.grants)},
        {"jitd_open_fresh_connection", count_in_kernel(jitd_listed, kFreshBase, cfg.grants)},
        {"nft_process", count_in_kernel(listed, kNftBase, cfg.grants)},
        {"raw_libnftnl", count_in_kernel(listed, kRawBase, cfg.grants)},
        {"session_apply", count_in_kernel(listed, kSessionBase, cfg.grants)},
        {"raw_libnftnl_gathered", count_in_kernel(listed, kGatheredBase, cfg.grants)}};
    if (!cli.empty())
        in_kernel["jit_request_process"] = count_in_kernel(jitd_listed, kCliBase, cfg.grants);
    for (const auto& [method, n] : in_kernel.items())
        if (n.get<std::size_t>() != cfg.grants)
            throw std::runtime_error("the kernel holds " + n.dump() + " of the " +
                                     std::to_string(cfg.grants) + " grants made by " + method);
    nlohmann::json out{{"grants", cfg.grants},
                       {"in_kernel", in_kernel},
                       {"jitd_open", summary(jitd)},
                       {"jitd_open_fresh_connection", summary(fresh)},
                       {"jitd_status", summary(status)},
                       {"jitd_pending", summary(bare)},
                       {"journal_send", summary(journal)},
                       {"nft_process", summary(nft_cli)},
                       {"raw_libnftnl", summary(raw)},
                       {"session_apply", summary(session)},
                       {"raw_libnftnl_gathered", summary(gathered)},
                       {"gathered_per_tx", kGathered},
                       {"audit_unavailable_retries", journal_retries}};
    if (!cli.empty()) out["jit_request_process"] = summary(cli);
    return out;
}

}  // namespace jitd::bench
