// The daemon's decisions: the policy in force, the grant book and the kernel session, and the
// ops of the protocol. No event loop here (daemon.cpp runs it), so every path can be driven
// directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/daemon/audit.hpp"
#include "agent/daemon/authz.hpp"
#include "agent/daemon/grant_book.hpp"
#include "agent/daemon/grant_rules.hpp"
#include "agent/daemon/peer.hpp"
#include "agent/daemon/request.hpp"
#include "config/policy.hpp"
#include "nft/session.hpp"

namespace jitd::agent {

struct RestoreOutcome {
    std::size_t grants = 0;    // live grants put back
    std::size_t elements = 0;  // their kernel elements
    std::size_t expired = 0;   // grants whose end had passed (journaled as expired instead)
    std::chrono::microseconds took{0};  // the restore transaction
};

struct ReloadOutcome {
    std::optional<Refusal> refusal;  // policy_invalid or internal; the old policy stays
    std::vector<std::string> revoked;
};

class Engine {
  public:
    Engine(std::string policy_path, config::Policy policy, nft::Session session);

    // Installs (or replaces) the table, then rebuilds the book from the kernel's elements and
    // revokes what the policy no longer allows. Throws nft::Error when the kernel refuses.
    void start();

    // One request line in, one response line out (both without the newline).
    std::string handle(const Peer& peer, std::string_view line);

    // Loads the policy file again and applies it atomically; journals a `reload` event.
    ReloadOutcome reload(const std::string& actor, uid_t actor_uid);

    // Journals and drops the grants whose end has come; returns how many.
    std::size_t expire_due(wire::SysSeconds now);
    std::optional<wire::SysSeconds> next_end() const { return book_.next_end(); }

    // After another tool changed table inet jitd: journals the grants whose end has passed as
    // expired, then puts back the table as the policy wants it and every live grant with its
    // remaining time and comment, in one transaction. Throws nft::Error when the kernel refuses.
    RestoreOutcome restore_table();
    // What differs between the kernel and what it should hold (for a resync after lost
    // events): the table, the chain's rule count, the grant elements. Empty when they agree.
    std::vector<std::string> kernel_differences();
    // The netlink port id of the session: events of jitd's own transactions carry it.
    std::uint32_t session_portid() const { return session_.portid(); }
    // Other tables' input base chains with policy drop ("inet filter input").
    std::vector<std::string> foreign_drop_chains();

    const GrantBook& book() const { return book_; }
    const config::Policy& policy() const { return policy_; }
    const std::string& policy_path() const { return policy_path_; }

  private:
    nlohmann::json dispatch(const Peer& peer, Role role, const Request& r);
    nlohmann::json op_open(const Peer& peer, Role role, const Request& r);
    nlohmann::json op_revoke(const Peer& peer, Role role, const Request& r);
    nlohmann::json op_extend(const Peer& peer, Role role, const Request& r);
    nlohmann::json op_list() const;
    nlohmann::json op_status(const Peer& peer, Role role);
    nlohmann::json op_reload(const Peer& peer);

    // Journals the refusal (a deny) and builds the error response.
    static nlohmann::json refuse(AuditEvent& ev, const Refusal& refusal);
    // Applies a change; on a kernel refusal returns the Refusal (internal) to answer with.
    std::optional<Refusal> apply(nft::Change& change, const std::string& what);
    // session_.apply(); when the kernel says the table or a set is gone (another tool deleted
    // it and the event is still queued), restores the table first and tries once more.
    void apply_restoring(const nft::Change& change);
    // Removes (kernel and book) the grants `policy_` no longer allows; journals each.
    std::vector<std::string> revoke_disallowed();
    // Keys whose grant ended but which the kernel may hold for up to a second more.
    void remember_lingering(const std::vector<nft::ElementKey>& keys, wire::SysSeconds end);
    void add_lingering_removes(nft::Change& change) const;

    std::string policy_path_;
    config::Policy policy_;
    nft::Session session_;
    GrantBook book_;
    wire::SysSeconds since_;
    std::unordered_map<nft::ElementKey, wire::SysSeconds, ElementKeyHash> lingering_;
    std::deque<std::pair<wire::SysSeconds, nft::ElementKey>> linger_queue_;
};

}  // namespace jitd::agent
