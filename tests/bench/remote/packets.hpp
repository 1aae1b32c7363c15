// What the remote benchmark sends: genuine fwknop SPA packets made by the stock client
// (`fwknop --test --save-packet`, built but not sent, so the bench stamps the clock right before
// its own send), jitd signed requests signed by the ssh-agent through the client's own code,
// single datagrams from a chosen address, and a paced flood of forged SPA-looking packets.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "tests/support/netns.hpp"

namespace jitd::bench::remote {

inline constexpr std::uint16_t kSpaPort = 62201;

struct SpaKeys {
    std::string key_b64;
    std::string hmac_b64;
};

// One packet from the stock client asking tcp/22 for `allow`, with a client timeout (type 3)
// when `timeout_s` is set. `work_dir` holds the saved packet (overwritten each call).
std::string fwknop_packet(const SpaKeys& keys, const std::string& allow,
                          std::optional<unsigned> timeout_s, const std::string& work_dir);

// One signed request for tcp/22 from `source`/32 lasting `seconds`, signed with the first
// ssh-agent key ($SSH_AUTH_SOCK), exactly as `jit-request open --host` builds it.
std::string signed_datagram(const std::string& host, const std::string& source,
                            std::uint64_t seconds);

// One UDP datagram from src to dst:port, sent from the calling thread's namespace.
void send_datagram(const std::string& src, const std::string& dst, std::uint16_t port,
                   const std::string& payload);

// Forged packets (204 bytes of random base64, shaped so that a receiver must check their HMAC
// before refusing them) at `rate` per second from src, on a thread in `ns`, paced in
// 1 ms batches (sendmmsg) until destroyed.
class Flood {
  public:
    Flood(const test::Netns& ns, std::string src, std::string dst, std::uint16_t port,
          unsigned rate);
    ~Flood();
    Flood(const Flood&) = delete;
    Flood& operator=(const Flood&) = delete;
    // Packets sent so far and the rate they were sent at.
    std::uint64_t sent() const { return sent_.load(); }
    double achieved_rate() const;
    // Why the sender stopped early ("" while it runs or when it was stopped).
    std::string error() const;

  private:
    void loop(const std::string& src, const std::string& dst, std::uint16_t port, unsigned rate);

    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> sent_{0};
    std::chrono::steady_clock::time_point started_;
    mutable std::mutex mutex_;
    std::string error_;
    std::thread thread_;
};

}  // namespace jitd::bench::remote
