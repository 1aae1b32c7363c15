#include "tests/bench/remote/scenarios.hpp"

#include <stdexcept>

#include "tests/bench/remote/door.hpp"
#include "tests/bench/remote/packets.hpp"
#include "tests/support/process.hpp"

namespace jitd::bench::remote {
namespace {

using test::TestAddrs;
constexpr std::uint16_t kDoor = 22;

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

void require_closed(const std::string& addr) {
    if (connect_once(addr, TestAddrs::server4, kDoor, std::chrono::milliseconds(300)))
        throw std::runtime_error("the door is already open for " + addr);
}

void record(Series& s, std::optional<Clock::time_point> open, Clock::time_point start) {
    if (!open) {
        ++s.failed;
        return;
    }
    const double ms = ms_between(start, *open);
    s.ms.add(ms);
    if (ms <= 1000) ++s.within_1s;
}

}  // namespace

nlohmann::json Series::to_json() const {
    nlohmann::json j = {{"n", ms.size() + failed},
                        {"granted", ms.size()},
                        {"failed", failed},
                        {"within_1s", within_1s}};
    if (!ms.empty()) {
        j["p50_ms"] = ms.median();
        j["p90_ms"] = ms.percentile(90);
        j["p99_ms"] = ms.percentile(99);
        j["min_ms"] = ms.percentile(0);
        j["max_ms"] = ms.percentile(100);
    }
    return j;
}

const std::string& Addresses::next() {
    if (used_ >= all_.size()) throw std::runtime_error("out of client addresses");
    return all_[used_++];
}

Series open_latency(test::TestNet& net, const PacketMaker& make, Addresses& addrs, unsigned n,
                    std::chrono::milliseconds limit) {
    Series s;
    for (unsigned i = 0; i < n; ++i) {
        const std::string addr = addrs.next();
        const std::string packet = make(addr, std::nullopt);  // made before the clock starts
        net.client().run([&] {
            require_closed(addr);
            const auto start = Clock::now();
            send_datagram(addr, TestAddrs::server4, kSpaPort, packet);
            record(s, wait_open(addr, TestAddrs::server4, kDoor, start, limit), start);
        });
    }
    return s;
}

Series command_latency(test::TestNet& net, const std::function<std::vector<std::string>()>& command,
                       const std::string& addr, const std::function<void()>& reset, unsigned n,
                       std::chrono::milliseconds limit) {
    Series s;
    for (unsigned i = 0; i < n; ++i) {
        const auto argv = command();
        net.client().run([&] {
            require_closed(addr);
            const auto start = Clock::now();
            test::Child client = test::Child::spawn(argv, {}, "/dev/null");
            record(s, wait_open(addr, TestAddrs::server4, kDoor, start, limit), start);
            client.wait_exit(std::chrono::seconds(30));
        });
        reset();
        bool shut = false;
        net.client().run([&] {
            shut =
                wait_closed(addr, TestAddrs::server4, kDoor, std::chrono::seconds(30)).has_value();
        });
        if (!shut) throw std::runtime_error("the door did not shut after the reset");
    }
    return s;
}

Expiry expiry_offsets(test::TestNet& net, const PacketMaker& make, Addresses& addrs,
                      unsigned rounds, unsigned seconds) {
    Expiry s;
    const auto limit = std::chrono::milliseconds(5000);
    const auto shut_limit = std::chrono::seconds(seconds + 60);
    for (unsigned i = 0; i < rounds; ++i) {
        const std::string addr = addrs.next();
        const std::string packet = make(addr, seconds);
        net.client().run([&] {
            require_closed(addr);
            const auto start = Clock::now();
            send_datagram(addr, TestAddrs::server4, kSpaPort, packet);
            const auto open = wait_open(addr, TestAddrs::server4, kDoor, start, limit);
            const auto shut =
                open ? wait_closed(addr, TestAddrs::server4, kDoor, shut_limit) : std::nullopt;
            if (!shut) {
                ++s.from_send.failed;
                ++s.from_open.failed;
                return;
            }
            s.from_send.ms.add(ms_between(start + std::chrono::seconds(seconds), *shut));
            s.from_open.ms.add(ms_between(*open + std::chrono::seconds(seconds), *shut));
        });
    }
    return s;
}

}  // namespace jitd::bench::remote
