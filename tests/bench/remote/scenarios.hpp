// The measurements of the remote benchmark, each over fresh client addresses (one per request,
// so no request finds the door already open): packet-to-open-door latency, the same during a
// forged flood, the whole client command to open door, and how far from the nominal end the
// door shuts. The server under test (jitd or fwknopd) is already running in the server
// namespace; a Target says how to make a packet for it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/bench/stats.hpp"
#include "tests/support/netns.hpp"

namespace jitd::bench::remote {

// A packet for tcp/22 from (and for) `addr`, lasting `seconds` when set (else long).
using PacketMaker =
    std::function<std::string(const std::string& addr, std::optional<unsigned> seconds)>;

struct Series {
    Samples ms;           // successes, in milliseconds
    unsigned failed = 0;  // requests whose door did not open within the limit
    unsigned within_1s = 0;
    nlohmann::json to_json() const;
};

// Hands out the client addresses, each once.
class Addresses {
  public:
    explicit Addresses(std::vector<std::string> all) : all_(std::move(all)) {}
    const std::string& next();

  private:
    std::vector<std::string> all_;
    std::size_t used_ = 0;
};

// `n` requests: the clock starts right before the datagram is sent, the door is open at the
// first TCP connect from the request's address that succeeds (attempted every 1 ms).
Series open_latency(test::TestNet& net, const PacketMaker& make, Addresses& addrs, unsigned n,
                    std::chrono::milliseconds limit);

// `n` runs of a whole client command (argv from `command`, spawned inside the client namespace
// with the clock started before the spawn) until the door opens for `addr`; `reset` then closes
// it again (e.g. revokes the grant) and the door is polled until it is shut.
Series command_latency(test::TestNet& net, const std::function<std::vector<std::string>()>& command,
                       const std::string& addr, const std::function<void()>& reset, unsigned n,
                       std::chrono::milliseconds limit);

// `rounds` grants of `seconds`: how long after the nominal end the door shuts, in ms (negative:
// before it), with the nominal end taken as (sent + seconds) and as (door open + seconds).
struct Expiry {
    Series from_send, from_open;
};
Expiry expiry_offsets(test::TestNet& net, const PacketMaker& make, Addresses& addrs,
                      unsigned rounds, unsigned seconds);

}  // namespace jitd::bench::remote
