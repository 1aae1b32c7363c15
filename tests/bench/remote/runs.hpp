// The remote benchmark's runs, one per server under test, in one pair of namespaces: jitd (the
// stock fwknop client's packets and ssh-agent signed requests) and then Debian's fwknopd in pcap
// and in UDP-server mode, fed the same packets by the same client code.
#pragma once

#include <functional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/bench/remote/fwknopd.hpp"
#include "tests/bench/remote/packets.hpp"
#include "tests/bench/remote/scenarios.hpp"

namespace jitd::bench::remote {

struct RunConfig {
    std::set<std::string> phases;  // latency command flood expiry
    unsigned requests = 30;
    unsigned expiry_rounds = 10;
    unsigned expiry_seconds = 5;
    unsigned flood_rate = 50000;
    std::chrono::milliseconds limit{5000};        // a request that opens nothing by then failed
    std::chrono::milliseconds flood_limit{3000};  // the same during the flood
    std::string jit_request;                      // for the command row
    std::string work_dir;                         // scratch (saved packets)
};

// The measurements against a running server (`make` builds its packets): latency, expiry,
// then `before_flood` (other rows for the same server, may be empty), then the flood.
nlohmann::json measure(test::TestNet& net, const PacketMaker& make, Addresses& addrs,
                       const RunConfig& cfg, const std::function<void()>& before_flood);

// The client addresses every server's run draws from (198.51.100.10..), added once.
using AddressList = std::vector<std::string>;

// jitd (`binary`) with `keys_dir` holding root.fwknop and root.pub, in a DaemonFixture's pair of
// namespaces, a listener on port 22 and the client addresses. Fills doc["jitd"], stops jitd,
// deletes its table, then calls `then` with the same namespaces and addresses.
void run_jitd(nlohmann::json& doc, const std::string& keys_dir, const SpaKeys& spa,
              const RunConfig& cfg,
              const std::function<void(test::TestNet&, const AddressList&)>& then);

// fwknopd in `mode` in net's server namespace (jitd's table is gone by then).
nlohmann::json run_fwknopd(test::TestNet& net, const AddressList& addrs, const SpaKeys& keys,
                           FwknopdMode mode, const RunConfig& cfg);

}  // namespace jitd::bench::remote
