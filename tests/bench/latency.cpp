// Phase "latency": the cost of one grant by each way of making it, one after the other.
#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "nft/session.hpp"
#include "tests/bench/nft_process.hpp"
#include "tests/bench/phases.hpp"
#include "tests/bench/raw_floor.hpp"
#include "tests/bench/sources.hpp"
#include "tests/bench/stats.hpp"
#include "tests/support/socket_client.hpp"

namespace jitd::bench {
namespace {

// Disjoint address ranges per method (10.0.0.0 + n), so no grant supersedes another.
constexpr std::uint32_t kJitdBase = 0x010000;
constexpr std::uint32_t kNftBase = 0x100000;
constexpr std::uint32_t kRawBase = 0x200000;
constexpr std::uint32_t kSessionBase = 0x300000;
constexpr std::size_t kChunk = 100;

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

nlohmann::json summary(const Samples& s) {
    return {{"n", s.size()},
            {"p50_us", s.median()},
            {"p99_us", s.percentile(99)},
            {"mean_us", s.mean()}};
}

}  // namespace

nlohmann::json run_latency(Daemon& d, const BenchConfig& cfg) {
    if (cfg.grants > 0x0f0000) throw std::invalid_argument("latency: too many grants");
    Samples jitd, nft_cli, raw, session;
    CommentMaker comments;
    RawFloor floor;
    nft::Session sess = nft::Session::open();
    auto client = test::SocketClient::connect(d.socket());

    for (std::size_t done = 0; done < cfg.grants; done += kChunk) {
        const std::size_t end = std::min(cfg.grants, done + kChunk);
        for (std::size_t i = done; i < end; ++i) {
            nlohmann::json req{{"op", "open"},
                               {"port", 22},
                               {"protocol", "tcp"},
                               {"source", host4_text(kJitdBase + static_cast<std::uint32_t>(i))},
                               {"duration", "1h"}};
            auto t0 = Clock::now();
            auto r = client.request(req, std::chrono::seconds(30));
            jitd.add(micros_since(t0));
            if (!r.value("ok", false)) throw std::runtime_error("jitd refused open: " + r.dump());
        }
        for (std::size_t i = done; i < end; ++i)
            nft_cli.add(nft_add_element(host4_text(kNftBase + static_cast<std::uint32_t>(i)),
                                        comments.next("root", now_unix())));
        for (std::size_t i = done; i < end; ++i) {
            std::string c = comments.next("root", now_unix());
            auto t0 = Clock::now();
            floor.add_host4(kRawBase + static_cast<std::uint32_t>(i), std::chrono::hours(1), c);
            raw.add(micros_since(t0));
        }
        for (std::size_t i = done; i < end; ++i) {
            nft::Change change;
            change.add.push_back(host4_element(kSessionBase + static_cast<std::uint32_t>(i),
                                               comments.next("root", now_unix())));
            auto t0 = Clock::now();
            sess.apply(change);
            session.add(micros_since(t0));
        }
    }
    return {{"grants", cfg.grants},
            {"jitd_open", summary(jitd)},
            {"nft_process", summary(nft_cli)},
            {"raw_libnftnl", summary(raw)},
            {"session_apply", summary(session)}};
}

}  // namespace jitd::bench
