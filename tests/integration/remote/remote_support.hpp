// Helpers for the remote-request tests: per-user fwknop key files in a private keys directory,
// the stock `fwknop` client run in the client namespace, and a tiny UDP sender for replays and
// altered packets.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_fixture.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {

struct FwknopKeyPair {
    std::string key_b64;   // KEY_BASE64
    std::string hmac_b64;  // HMAC_KEY_BASE64
};

// `fwknop --key-gen` (HOME=home): a fresh pair.
FwknopKeyPair fwknop_key_gen(const std::string& home);

// A temp dir (root, 0700) for /etc/jitd/keys; removed by the destructor.
class KeysDir {
  public:
    KeysDir();
    ~KeysDir();
    KeysDir(const KeysDir&) = delete;
    KeysDir& operator=(const KeysDir&) = delete;
    const std::string& path() const { return path_; }
    // Keys from `fwknop --key-gen`, written to <user>.fwknop as root with `mode`.
    FwknopKeyPair add(const std::string& user, mode_t mode = 0600);
    // The way an admin makes one: `jit-request keys add USER --fwknop --dir DIR`; the keys are
    // read back from the ~/.fwknoprc stanza it prints.
    FwknopKeyPair add_with_jit_request(const std::string& user);
    // A fresh pair written nowhere.
    FwknopKeyPair generate() const { return fwknop_key_gen(home_); }

  private:
    std::string path_;
    std::string home_;  // HOME for fwknop, so nothing is written to the real one
};

// Options for one fwknop run; the defaults make a good request for tcp/22 from client4.
struct SpaArgs {
    std::string access = "tcp/22";
    std::string allow = TestAddrs::client4;  // "" with source_ip
    bool source_ip = false;                  // -s
    bool hmac = true;
    std::vector<std::string> extra;  // e.g. {"-f", "3"}, {"--time-offset-plus", "600"}
};

// The default request, for `access` ("tcp/22,tcp/2222").
inline SpaArgs for_access(const std::string& access) {
    SpaArgs a;
    a.access = access;
    return a;
}

// Runs the stock client in the client namespace, sending to server4:62201 (or `port`).
RunResult send_spa(TestNet& net, const FwknopKeyPair& keys, const SpaArgs& args,
                   std::uint16_t port = 62201, const std::string& save_to = "");

// `count` UDP datagrams with `payload` from `src` to `dst:port`, sent inside `ns` as fast as the
// socket takes them (one by default).
void send_udp(const Netns& ns, const std::string& src, const std::string& dst, std::uint16_t port,
              const std::string& payload, int count = 1);

// Datagrams with `payload` from `src` to `dst:port` inside `ns`, sent in a loop by a thread of
// its own from construction until stop() (or the destructor, or 5 million datagrams).
class UdpFlood {
  public:
    UdpFlood(const Netns& ns, const std::string& src, const std::string& dst, std::uint16_t port,
             const std::string& payload);
    ~UdpFlood() { stop(); }
    UdpFlood(const UdpFlood&) = delete;
    UdpFlood& operator=(const UdpFlood&) = delete;
    void stop();
    long sent() const { return sent_.load(); }

  private:
    std::atomic<bool> stop_{false};
    std::atomic<long> sent_{0};
    std::thread thread_;
};

// Whether a UDP datagram to dst:port draws an ICMP port unreachable (a connected socket's
// recv() then fails with ECONNREFUSED) within `wait`; false when nothing comes back.
bool udp_port_refuses(const Netns& ns, const std::string& src, const std::string& dst,
                      std::uint16_t port, std::chrono::milliseconds wait);

// The `remote` object of `status`, as root.
nlohmann::json remote_status(DaemonFixture& d);

// Polls `cond` every 50 ms until it holds or `limit` passes.
bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit);

}  // namespace jitd::test
