#include "tests/bench/remote/runs.hpp"

#include <iostream>
#include <memory>

#include "tests/bench/remote/door.hpp"
#include "tests/support/daemon_fixture.hpp"
#include "tests/support/process.hpp"

namespace jitd::bench::remote {
namespace {

using nlohmann::json;
using test::TestAddrs;

constexpr unsigned kFirstAddress = 10;
constexpr unsigned kAddressCount = 200;

std::string jitd_policy(const std::string& keys_dir) {
    return "ports:\n"
           "  - {port: 22, protocol: tcp, max_duration: 3h, allowed_sources: any}\n"
           "access:\n"
           "  admins: {users: [root]}\n"
           "limits:\n"
           "  max_grants_per_user: 10000\n"
           "remote:\n"
           "  keys: " +
           keys_dir +
           "\n"
           "  default_duration: 1h\n";
}

void note(const std::string& what) {
    std::cerr << "jitd_bench_remote: " << what << " ...\n";
}

json counters(test::DaemonFixture& d) {
    return d.request({{"op", "status"}}).value("remote", json::object()).value("counters", json{});
}

void revoke_all(test::DaemonFixture& d) {
    const auto list = d.request({{"op", "list"}});
    for (const auto& g : list.value("grants", json::array()))
        d.request({{"op", "revoke"}, {"id", g.value("id", "")}});
}

std::vector<std::string> fwknop_command(const SpaKeys& keys, const std::string& allow) {
    return {"env",
            "HOME=/nonexistent",
            "fwknop",
            "--no-rc-file",
            "--no-save-args",
            "-A",
            "tcp/22",
            "-D",
            TestAddrs::server4,
            "-a",
            allow,
            "--key-base64-rijndael",
            keys.key_b64,
            "--use-hmac",
            "--key-base64-hmac",
            keys.hmac_b64};
}

// The forged flood from client4b around open_latency, with what it achieved.
json flood_latency(test::TestNet& net, const PacketMaker& make, Addresses& addrs,
                   const RunConfig& cfg) {
    Flood flood(net.client(), TestAddrs::client4b, TestAddrs::server4, kSpaPort, cfg.flood_rate);
    json j = open_latency(net, make, addrs, cfg.requests, cfg.flood_limit).to_json();
    j["flood_sent"] = flood.sent();
    j["flood_rate_achieved"] = flood.achieved_rate();
    j["flood_rate_asked"] = cfg.flood_rate;
    j["limit_ms"] = cfg.flood_limit.count();
    if (!flood.error().empty()) j["flood_error"] = flood.error();
    return j;
}

}  // namespace

json measure(test::TestNet& net, const PacketMaker& make, Addresses& addrs, const RunConfig& cfg,
             const std::function<void()>& before_flood) {
    json out;
    if (cfg.phases.count("latency")) {
        note("latency");
        out["latency"] = open_latency(net, make, addrs, cfg.requests, cfg.limit).to_json();
    }
    if (cfg.phases.count("expiry")) {
        note("expiry");
        const Expiry e = expiry_offsets(net, make, addrs, cfg.expiry_rounds, cfg.expiry_seconds);
        out["expiry"] = e.from_send.to_json();
        out["expiry"]["seconds"] = cfg.expiry_seconds;
        out["expiry_from_open"] = e.from_open.to_json();
    }
    if (before_flood) before_flood();
    // Last: a server still working through the flood's backlog would slow what comes after.
    if (cfg.phases.count("flood")) {
        note("flood");
        out["flood"] = flood_latency(net, make, addrs, cfg);
    }
    return out;
}

void run_jitd(json& doc, const std::string& keys_dir, const SpaKeys& spa, const RunConfig& cfg,
              const std::function<void(test::TestNet&, const AddressList&)>& then) {
    test::DaemonOptions options;
    options.idle_timeout_s = 60;
    options.ready_limit = std::chrono::seconds(60);  // a loaded machine
    test::DaemonFixture d(jitd_policy(keys_dir), options);
    test::TestNet& net = d.net();
    const AddressList list =
        add_client_addresses(net.server(), net.client(), kFirstAddress, kAddressCount);
    {
        Acceptor door(net.server(), 22);
        json& j = doc["jitd"];
        const PacketMaker spa_packet = [&](const std::string& addr, std::optional<unsigned> s) {
            return fwknop_packet(spa, addr, s, cfg.work_dir);
        };
        const PacketMaker signed_packet = [&](const std::string& addr, std::optional<unsigned> s) {
            return signed_datagram(TestAddrs::server4, addr, s.value_or(3600));
        };
        Addresses addrs(list);
        const auto other_rows = [&] {
            if (cfg.phases.count("latency")) {
                note("jitd, signed requests");
                j["sshsig"]["latency"] =
                    open_latency(net, signed_packet, addrs, cfg.requests, cfg.limit).to_json();
            }
            if (cfg.phases.count("command")) {
                note("jitd, whole client commands");
                const auto reset = [&] { revoke_all(d); };
                j["command"]["fwknop"] =
                    command_latency(
                        net, [&] { return fwknop_command(spa, TestAddrs::client4); },
                        TestAddrs::client4, reset, cfg.requests, cfg.limit)
                        .to_json();
                j["command"]["jit_request"] =
                    command_latency(
                        net,
                        [&]() -> std::vector<std::string> {
                            return {cfg.jit_request,
                                    "open",
                                    "22",
                                    "--host",
                                    TestAddrs::server4,
                                    "--from",
                                    TestAddrs::client4,
                                    "--for",
                                    "1h"};
                        },
                        TestAddrs::client4, reset, cfg.requests, cfg.limit)
                        .to_json();
            }
            j["counters_before_flood"] = counters(d);
        };
        note("jitd, fwknop SPA");
        j["spa"] = measure(net, spa_packet, addrs, cfg, other_rows);
        j["counters_after"] = counters(d);
        j["log_tail"] = d.log().substr(d.log().size() > 3000 ? d.log().size() - 3000 : 0);
    }
    d.stop();
    test::run(net.server().exec({"nft", "delete", "table", "inet", "jitd"}));
    then(net, list);
}

json run_fwknopd(test::TestNet& net, const AddressList& list, const SpaKeys& keys, FwknopdMode mode,
                 const RunConfig& cfg) {
    Acceptor door(net.server(), 22);
    Fwknopd f(net.server(), keys, mode);
    note(std::string("fwknopd ") + mode_name(mode));
    f.start();
    const PacketMaker spa_packet = [&](const std::string& addr, std::optional<unsigned> s) {
        return fwknop_packet(keys, addr, s, cfg.work_dir);
    };
    Addresses addrs(list);
    json j = measure(net, spa_packet, addrs, cfg, nullptr);
    j["mode"] = mode_name(mode);
    const std::string log = f.log();
    j["log_tail"] = log.substr(log.size() > 3000 ? log.size() - 3000 : 0);
    f.stop();
    return j;
}

}  // namespace jitd::bench::remote
