// Phase "restore" (issue 10): another tool runs `nft flush ruleset` while jitd runs. The
// exposure window is the time from `nft flush ruleset` returning to the moment port 22 refuses
// a new connection from a source without a grant again, probed in a tight loop of connection
// attempts from a client namespace; then the same with 10k and 100k live grants, with the
// daemon's own figure for the restore transaction (its log line "restored table inet jitd").
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

#include "nft/session.hpp"
#include "tests/bench/phases.hpp"
#include "tests/bench/sources.hpp"
#include "tests/bench/stats.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::bench {
namespace {

using test::TestAddrs;
constexpr auto kProbeWait = std::chrono::milliseconds(2);  // a veth handshake takes ~0.1 ms
constexpr auto kConfirmWait = std::chrono::milliseconds(300);

// One connection attempt from client4b to server4:22: true when the handshake completed.
bool probe_connects(std::chrono::milliseconds wait = kProbeWait) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket");
    sockaddr_in src{}, dst{};
    src.sin_family = dst.sin_family = AF_INET;
    inet_pton(AF_INET, TestAddrs::client4b, &src.sin_addr);
    inet_pton(AF_INET, TestAddrs::server4, &dst.sin_addr);
    dst.sin_port = htons(22);
    bool ok = false;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) == 0 &&
        (::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0 ||
         errno == EINPROGRESS)) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, static_cast<int>(wait.count())) == 1) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            ok = err == 0;
        }
    }
    ::close(fd);
    return ok;
}

struct Window {
    Samples window_us;
    unsigned opened = 0;  // rounds in which a probe got through (the flush was seen open)
};

// `rounds` times: flush the ruleset with nft, then probe until the port refuses again.
Window exposure(test::TestNet& net, unsigned rounds, std::chrono::seconds limit) {
    Window w;
    net.client().run([&] {
        for (unsigned r = 0; r < rounds; ++r) {
            if (!test::poll_until([] { return !probe_connects(); }, limit))
                throw std::runtime_error("port 22 stays open before the flush");
            test::run_ok(net.server().exec({"nft", "flush", "ruleset"}));
            const auto returned = Clock::now();
            bool opened = false;
            while (true) {
                const auto attempt = Clock::now();
                // A handshake slower than kProbeWait (a loaded machine, the kernel busy with
                // a big restore) is not a refusal: a longer attempt must fail too.
                if (!probe_connects() && !probe_connects(kConfirmWait)) {
                    w.window_us.add(
                        std::chrono::duration<double, std::micro>(attempt - returned).count());
                    break;
                }
                opened = true;
                if (Clock::now() - returned > limit)
                    throw std::runtime_error("port 22 was not closed again in time");
            }
            w.opened += opened ? 1 : 0;
        }
    });
    return w;
}

nlohmann::json summary(const Window& w) {
    return {{"n", w.window_us.size()},
            {"median_us", w.window_us.median()},
            {"max_us", w.window_us.percentile(100)},
            {"rounds_seen_open", w.opened}};
}

// The daemon's "restored table inet jitd: N grants, M elements in X us" lines.
std::vector<double> restore_times(const Daemon& d) {
    std::vector<double> out;
    static const std::regex line(
        "restored table inet jitd: [0-9]+ grants, [0-9]+ elements in ([0-9]+) us");
    const std::string log = d.log_tail(1 << 22);
    for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
         ++it)
        out.push_back(std::stod((*it)[1]));
    return out;
}

}  // namespace

nlohmann::json run_restore(const BenchConfig& cfg, const std::string& jitd) {
    nlohmann::json out;
    test::TestNet net;
    test::TcpEchoServer ssh(net.server(), 22);
    Daemon d({.binary = jitd});
    net.server().run([&] { d.start(0); });
    const unsigned rounds = cfg.quick ? 10 : 50;
    out["no_grants"] = summary(exposure(net, rounds, std::chrono::seconds(10)));

    CommentMaker comments;
    std::vector<std::size_t> sizes{cfg.quick ? std::size_t{2000} : std::size_t{10000}};
    if (!cfg.quick) sizes.push_back(cfg.scale);
    nlohmann::json scaled = nlohmann::json::array();
    for (std::size_t n : sizes) {
        d.stop();
        const auto elements = scale_elements(n, 0, comments);
        net.server().run([&] {
            nft::Session s = nft::Session::open();
            s.remove_table();
            s.install({});
            for (std::size_t i = 0; i < elements.size(); i += cfg.batch) {
                nft::Change c;
                c.add.assign(elements.begin() + static_cast<std::ptrdiff_t>(i),
                             elements.begin() + static_cast<std::ptrdiff_t>(
                                                    std::min(elements.size(), i + cfg.batch)));
                s.apply(c);
            }
            d.start(static_cast<long>(n));
        });
        const std::size_t before = restore_times(d).size();
        const unsigned r = cfg.quick ? 2 : 5;
        Window w = exposure(net, r, std::chrono::seconds(60));
        std::vector<double> times;
        test::poll_until([&] { return restore_times(d).size() >= before + r; },
                         std::chrono::seconds(30));
        times = restore_times(d);
        Samples restore_us;
        for (std::size_t i = before; i < times.size(); ++i) restore_us.add(times[i]);
        const std::string log = d.log_tail(1 << 22);
        std::size_t lost = 0;
        for (auto pos = log.find("events were lost"); pos != std::string::npos;
             pos = log.find("events were lost", pos + 1))
            ++lost;
        scaled.push_back({{"grants", n},
                          {"event_overflows", lost},
                          {"window", summary(w)},
                          {"restore_tx",
                           {{"n", restore_us.size()},
                            {"median_us", restore_us.median()},
                            {"max_us", restore_us.percentile(100)}}}});
    }
    out["with_grants"] = std::move(scaled);
    d.stop();
    return out;
}

}  // namespace jitd::bench
