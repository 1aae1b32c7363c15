// Who a new connection is, found off the event loop. A user database lookup (NSS: LDAP, sssd)
// can stall for seconds; done on the loop it would stall every other client too (issue 11,
// finding 9). A few worker threads run peer_credentials() on a duplicate of the connection's
// descriptor and wake the loop through an eventfd; the loop thread alone sees the results.
// Results are cached briefly, keyed by the kernel's credentials of the peer (uid, gid and the
// supplementary gids of SO_PEERGROUPS), so a burst of connections of one user costs one lookup.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

#include "agent/daemon/handles.hpp"
#include "agent/daemon/peer.hpp"

namespace jitd::agent {

// What the kernel says about the peer of a connected Unix socket, without any NSS lookup.
struct KernelCredentials {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    std::vector<gid_t> groups;  // SO_PEERGROUPS, sorted; empty when the kernel cannot say
};
std::optional<KernelCredentials> kernel_credentials(int fd);

class IdentityResolver {
  public:
    // Called on the loop thread with the token given to resolve() and the peer (nullopt when
    // the kernel could not say who it is).
    using Done = std::function<void(std::uint64_t token, std::optional<Peer> peer)>;

    IdentityResolver(sd_event* event, Done done, unsigned threads = 4,
                     std::chrono::seconds cache_for = std::chrono::seconds(5));
    ~IdentityResolver();
    IdentityResolver(const IdentityResolver&) = delete;
    IdentityResolver& operator=(const IdentityResolver&) = delete;

    // The cached peer for `creds`, if one is fresh.
    std::optional<Peer> cached(const KernelCredentials& creds);
    // Looks up the peer of `fd` (duplicated: the caller keeps its own) on a worker thread.
    void resolve(std::uint64_t token, int fd, const KernelCredentials& creds);

  private:
    struct Shared;
    static int on_wake(sd_event_source* s, int fd, uint32_t revents, void* userdata);
    void drain();

    using Key = std::tuple<uid_t, gid_t, std::vector<gid_t>>;
    struct CacheEntry {
        Peer peer;
        std::chrono::steady_clock::time_point until;
    };

    std::shared_ptr<Shared> shared_;
    Done done_;
    SourcePtr wake_source_;
    std::chrono::seconds cache_for_;
    std::map<Key, CacheEntry> cache_;
};

}  // namespace jitd::agent
