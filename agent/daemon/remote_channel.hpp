// Remote requests (fwknop SPA and jitd signed requests from the nflog intake) turned into the same
// decisions as a local `open` by the key's user: authenticated first (remote/fwknop_spa.hpp), then
// age, replay and source binding, then Engine::submit for every port of the packet, all or nothing.
// Unauthenticated datagrams are only counted; everything after the HMAC is journaled.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/daemon/engine.hpp"
#include "nft/nflog_packet.hpp"
#include "remote/fwknop_keys.hpp"
#include "remote/fwknop_spa.hpp"
#include "remote/replay_cache.hpp"
#include "remote/ssh/ssh_keyring.hpp"
#include "remote/ssh/ssh_request.hpp"
#include "remote/ssh/ssh_verify.hpp"

namespace jitd::agent {

inline constexpr std::size_t kSshRefusalCount =
    static_cast<std::size_t>(remote::ssh::Refusal::source_not_allowed) + 1;

// Counts of datagrams that never reached a decision, by cause.
struct RemoteCounters {
    std::array<std::uint64_t, kSshRefusalCount> ssh{};  // by remote::ssh::Refusal ("sshsig_*")
    std::array<std::uint64_t, remote::kSpaRefusalCount> spa{};  // by remote::SpaRefusal
    std::array<std::uint64_t, nft::kNflogErrorCount> intake{};  // by nft::NflogError
    std::uint64_t sibling = 0;     // a signed request already used through another of its keys
    std::uint64_t wrong_port = 0;  // a datagram for another port (the rule matches only ours)
    std::uint64_t total() const;
    void add(const RemoteCounters& o);
    nlohmann::json to_json() const;  // {"no_key_matched": 3, ...}, non-zero ones only
    std::string summary() const;     // "no_key_matched 3, truncated 1"
};

class RemoteChannel {
  public:
    using WallClock = std::chrono::system_clock;

    // `state_dir` holds the replay cache (remote-replay); "" keeps it in memory only.
    RemoteChannel(Engine& engine, std::string state_dir);

    // Takes engine.policy().remote: loads the key files (refused ones are logged; the rest
    // load), resolves each key's user through NSS, opens the replay cache. Call at start and
    // after every reload.
    void configure();
    bool enabled() const { return remote_.has_value(); }
    std::optional<std::uint16_t> port() const;

    void handle(const nft::Datagram& d, WallClock::time_point now);
    void count(nft::NflogError e);

    // The `remote` object of the status response.
    nlohmann::json status() const;
    // What was counted since the last call (and forgets it): for the once-a-minute summary.
    RemoteCounters take_recent();
    // Gives back counts taken whose summary the journal did not take: they go in the next.
    void keep_recent(const RemoteCounters& c) { recent_.add(c); }

  private:
    struct KeyUser {
        std::optional<Peer> peer;  // nullopt: the user database does not know the key's user
    };
    // Journals a refusal that happened before the Engine (age, replay, source, ...).
    void refuse(const Origin& origin, const remote::SpaMessage* msg, wire::ErrorCode code,
                const std::string& cause, const std::string& message) const;
    void decide(const Origin& origin, const remote::SpaMessage& msg, const std::string& source);
    void count_spa(remote::SpaRefusal r);
    // Signed requests (remote_signed.cpp).
    void configure_signed();
    void handle_signed(const nft::Datagram& d, WallClock::time_point now);
    void refuse_signed(const Origin& origin, const remote::ssh::SignedRequest* req,
                       wire::ErrorCode code, const std::string& cause,
                       const std::string& message) const;
    void count_ssh(remote::ssh::Refusal r);

    Engine& engine_;
    std::string state_dir_;
    std::optional<config::Remote> remote_;
    std::vector<remote::FwknopKey> keys_;
    std::vector<KeyUser> users_;  // parallel to keys_
    remote::ssh::Keyring keyring_;
    std::vector<std::string> host_names_;  // remote.host_names, or default_host_names()
    std::map<remote::ReplayCache::Digest, std::string> spent_by_;  // digest -> key fingerprint
    std::unique_ptr<remote::ReplayCache> replay_;
    RemoteCounters counters_, recent_;
    std::uint64_t granted_ = 0, refused_ = 0;  // authenticated requests, by outcome
};

}  // namespace jitd::agent
