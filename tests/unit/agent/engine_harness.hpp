// An Engine over the in-memory kernel (tests/support/fake_kernel.hpp) and a fake clock, with
// the journal captured in memory: every op can be driven and checked without root.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/daemon/engine.hpp"
#include "agent/daemon/journal_socket.hpp"
#include "config/policy_loader.hpp"
#include "tests/support/fake_kernel.hpp"

namespace jitd::agent::testing {

using namespace std::chrono_literals;
using nlohmann::json;

// Users every Debian system has, so that names survive a rebuild (it asks NSS).
inline Peer peer(const std::string& name, uid_t uid) {
    return Peer{uid, static_cast<gid_t>(uid), 0, name, {name}};
}
inline const Peer kRoot = peer("root", 0);      // admin
inline const Peer kAlice = peer("daemon", 1);   // requester
inline const Peer kBob = peer("bin", 2);        // requester
inline const Peer kViewer = peer("sys", 3);     // viewer
inline const Peer kStranger = peer("sync", 4);  // no role

inline const char* kPolicy = R"(
ports:
  - port: 22
    protocol: tcp
    max_duration: 1h
  - port: 5985
    protocol: any
    max_duration: 3h
  - port: 3389
    protocol: tcp
    max_duration: 3h
    allowed_sources: [10.0.0.0/8]
access:
  requesters:
    users: [daemon, bin]
  viewers:
    users: [sys]
limits:
  max_grants_per_user: 3
  widest_source: {ipv4: 16, ipv6: 48}
)";

class EngineHarness {
  public:
    explicit EngineHarness(const std::string& yaml = kPolicy) {
        char tmpl[] = "/tmp/jitd-engine-test-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        write_policy(yaml);
        set_journal_sink([this](const JournalFields& f) {
            if (!journal_up) return JournalSend::unavailable;
            journal.push_back(f);
            return JournalSend::written;
        });
        restart();
    }
    ~EngineHarness() {
        set_journal_sink(nullptr);
        engine_.reset();
        std::filesystem::remove_all(dir_);
    }
    EngineHarness(const EngineHarness&) = delete;
    EngineHarness& operator=(const EngineHarness&) = delete;

    Engine& engine() { return *engine_; }
    std::string policy_path() const { return dir_ + "/policy.yaml"; }
    void write_policy(const std::string& yaml) { std::ofstream(policy_path()) << yaml; }

    // A new Engine over the same kernel, started (a daemon restart; the old one is gone).
    void restart() {
        engine_.reset();
        engine_ = std::make_unique<Engine>(
            policy_path(), config::load_policy_file(policy_path()), kernel.connect(), [this] {
                return ClockSample{clock.realtime(), clock.monotonic, clock.boottime()};
            });
        engine_->start();
    }

    json submit(const Peer& p, const Request& r) { return engine_->submit(socket_origin(p), r); }
    json open(const Peer& p, std::uint16_t port, const std::string& source,
              std::chrono::seconds d = 10min, const std::string& reason = "",
              std::optional<config::Protocol> proto = std::nullopt) {
        Request r;
        r.op = Op::open;
        r.port = port;
        r.protocol = proto;
        r.source = source;
        r.duration = d;
        r.reason = reason;
        return submit(p, r);
    }
    json revoke(const Peer& p, const std::string& id) {
        Request r;
        r.op = Op::revoke;
        r.id = id;
        r.kill = false;  // never end real sessions of this host
        return submit(p, r);
    }
    json extend(const Peer& p, const std::string& id, std::chrono::seconds d) {
        Request r;
        r.op = Op::extend;
        r.id = id;
        r.duration = d;
        return submit(p, r);
    }

    // Journal entries with JITD_EVENT=`kind`, each as a name → value map.
    std::vector<std::map<std::string, std::string>> events(const std::string& kind) const {
        std::vector<std::map<std::string, std::string>> out;
        for (const auto& f : journal) {
            std::map<std::string, std::string> m(f.begin(), f.end());
            if (m["JITD_EVENT"] == kind) out.push_back(std::move(m));
        }
        return out;
    }

    test::FakeClock clock;
    test::FakeKernel kernel{clock};
    std::vector<JournalFields> journal;
    bool journal_up = true;

  private:
    std::string dir_;
    std::unique_ptr<Engine> engine_;
};

// "ok", or the error code of a response.
inline std::string code(const json& response) {
    if (response.value("ok", false)) return "ok";
    return response.at("error").at("code").get<std::string>();
}
inline std::string id_of(const json& response) {
    EXPECT_EQ(code(response), "ok") << response.dump();
    return response.contains("grant") ? response["grant"]["id"].get<std::string>() : "";
}

inline nft::ElementKey key(const std::string& source, nft::L4 proto, std::uint16_t port) {
    return nft::ElementKey{*nft::parse_prefix(source), proto, port};
}

}  // namespace jitd::agent::testing
