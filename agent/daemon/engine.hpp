// The daemon's decisions: the policy in force, the grant book and the kernel (nft::Kernel),
// and the ops of the protocol. No event loop here (daemon.cpp runs it), so every path can be
// driven directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/daemon/audit.hpp"
#include "agent/daemon/authz.hpp"
#include "agent/daemon/batch.hpp"
#include "agent/daemon/clocks.hpp"
#include "agent/daemon/grant_book.hpp"
#include "agent/daemon/grant_rules.hpp"
#include "agent/daemon/op_table.hpp"
#include "agent/daemon/origin.hpp"
#include "agent/daemon/peer.hpp"
#include "agent/daemon/pending_book.hpp"
#include "agent/daemon/request.hpp"
#include "config/policy.hpp"
#include "nft/kernel_interface.hpp"
#include "nft/session.hpp"  // nft::Error

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
    // `kernel` is nft::Session in the daemon, an in-memory model in tests; `clocks` is
    // sample_clocks() in the daemon, a clock the test moves in tests.
    Engine(std::string policy_path, config::Policy policy, std::unique_ptr<nft::Kernel> kernel,
           std::function<ClockSample()> clocks = sample_clocks);

    // Installs (or replaces) the table, then rebuilds the book from the kernel's elements and
    // revokes what the policy no longer allows. Throws nft::Error when the kernel refuses.
    void start();

    // One request line in, one response line out (both without the newline).
    std::string handle(const Peer& peer, std::string_view line);
    // The lines one event-loop turn read, in arrival order, one answer each (engine_batch.cpp).
    // Each is decided as handle() would, seeing the ones before it; a run of consecutive opens
    // that make a grant at once is applied in one kernel transaction. Any other request ends
    // the run (the run is applied and answered first), so effects keep the arrival order.
    std::vector<BatchAnswer> handle_batch(std::span<const BatchLine> lines);
    // The channel-neutral entry: a parsed request from any channel (socket, remote), with the
    // identity that channel authenticated. Authorizes, decides, applies and journals exactly as
    // for a socket request; returns the response object.
    nlohmann::json submit(const Origin& origin, const Request& request);

    // Loads the policy file again and applies it atomically; journals a `reload` event (with
    // the channel's fields when a request asked: `origin`).
    ReloadOutcome reload(const std::string& actor, uid_t actor_uid, const Origin* origin = nullptr);

    // Journals and drops the grants whose end has come and whose elements the kernel no longer
    // holds (the journal never says a door is closed while it is open); returns how many. A due
    // grant the kernel still holds is looked at again once its element's remaining time has
    // passed, or re-timed from it when the book was early by a second or more.
    std::size_t expire_due();
    // When CLOCK_REALTIME stepped or the system slept since the last look (or `force`: the
    // kernel said the wall clock was set), re-times the book's wall-clock start/end from the
    // kernel's remaining times. Call expire_due() after it.
    void check_clocks(bool force = false);
    // The CLOCK_MONOTONIC time at which expire_due() has something to look at.
    std::optional<Millis> next_deadline() const;
    std::optional<wire::SysSeconds> next_end() const { return book_.next_end(); }

    // Where start and reload save a copy of the policy that loaded ("" for nowhere).
    void set_state_dir(std::string dir) { state_dir_ = std::move(dir); }
    // Who is connected now (the server's peers): reload judges grant owners by them.
    void set_live_peers(std::function<std::vector<Peer>()> fn) { live_peers_ = std::move(fn); }
    // The remote channel: its `remote` object of the status response, and what it reloads
    // after each successful policy reload (key files).
    void set_remote_status(std::function<nlohmann::json()> fn) { remote_status_ = std::move(fn); }
    void set_after_reload(std::function<void()> fn) { after_reload_ = std::move(fn); }
    // After another tool changed table inet jitd: journals the grants whose end has passed as
    // expired, then puts back the table as the policy wants it and every live grant with its
    // remaining time and comment, in one transaction. Throws nft::Error when the kernel refuses.
    RestoreOutcome restore_table();
    // What differs between the kernel and what it should hold (for a resync after lost
    // events): the table, the chain's rule count, the grant elements. Empty when they agree.
    std::vector<std::string> kernel_differences();
    // The netlink port id of the session: events of jitd's own transactions carry it.
    std::uint32_t session_portid() const { return kernel_->portid(); }
    // Other tables' input base chains with policy drop ("inet filter input").
    std::vector<std::string> foreign_drop_chains();

    const GrantBook& book() const { return book_; }
    const PendingBook& pending() const { return pending_; }
    // Called when a pending request is decided, cancelled or lapses, with its id and the
    // answer a client waiting for it gets (engine_ops_approval.cpp).
    void set_on_decided(std::function<void(const std::string&, const nlohmann::json&)> fn) {
        on_decided_ = std::move(fn);
    }
    // Runs a port's approval.notify command (argv, request id, event, stdin payload); the
    // daemon's ApprovalHooks. Called for each new request and each decision.
    using HookRunner = std::function<void(const std::vector<std::string>&, const std::string&,
                                          const std::string&, const std::string&)>;
    void set_hook_runner(HookRunner fn) { hook_runner_ = std::move(fn); }
    // The request id when the last handle() answered an `open` with wait as pending: the
    // connection then waits for its decision (decision_waiters.hpp). Cleared by the call.
    std::optional<std::string> take_waiting() { return std::exchange(waiting_, std::nullopt); }
    // Journals and drops the pending requests whose wait is over (expire_due() calls it).
    std::size_t lapse_due();
    const config::Policy& policy() const { return policy_; }
    const std::string& policy_path() const { return policy_path_; }

  private:
    // The op handlers, reached only through the op table (op_table.cpp), after submit has
    // checked the role and the own-grants rule. engine_ops*.cpp.
    friend std::span<const OpSpec> op_table();
    nlohmann::json op_open(const OpCall& call);
    nlohmann::json op_revoke(const OpCall& call);
    nlohmann::json op_extend(const OpCall& call);
    nlohmann::json op_list(const OpCall& call);
    nlohmann::json op_status(const OpCall& call);
    nlohmann::json op_reload(const OpCall& call);
    // engine_ops_approval.cpp: the two-person rule.
    nlohmann::json op_pending(const OpCall& call);
    nlohmann::json op_approve(const OpCall& call);
    nlohmann::json op_reject(const OpCall& call);
    nlohmann::json op_cancel(const OpCall& call);
    // An open of a port that needs approval: checked as any open, then kept pending.
    nlohmann::json op_request(const OpCall& call);
    // The last approval is in: the open is decided again, now, for the requester.
    nlohmann::json grant_approved(PendingRequest p);
    // engine_pending_store.cpp: a pending request and its approvals in the kernel's `pending`
    // set, so that they survive a restart; the refusal (internal) when the kernel refuses.
    std::optional<Refusal> store_pending(const PendingRequest& p);
    std::optional<Refusal> store_approval(const PendingRequest& p, const Approver& a);
    void drop_approval(const PendingRequest& p, const Approver& a);
    void drop_pending(const PendingRequest& p);
    // At start: the book of pending requests from the kernel's `pending` set (unreadable
    // elements are removed); and the set's elements for the book now (restore).
    void rebuild_pending();
    std::vector<nft::PendingElement> pending_elements() const;
    // The pending requests the caller may see, for list and pending.
    nlohmann::json visible_pending(const OpCall& call) const;
    // Tells the port's approval.notify hook (the policy's now, or `approval`) about `event`.
    void tell_hook(const PendingRequest& p, const char* event, const nlohmann::json& extra,
                   const config::Approval* approval = nullptr) const;
    // Ends a pending request (kernel and book) and tells a waiting client.
    void end_pending(const PendingRequest& p, const nlohmann::json& answer);
    // engine_ops_open.cpp: makes the grant of an allowed open (apply, journal `ev` before the
    // answer or roll back, supersede) and answers it.
    nlohmann::json make_grant(const OpCall& call, AuditEvent& ev, OpenPlan& plan,
                              wire::SysSeconds now);

    // engine_batch*.cpp: a run of grant-making opens of one batch (see handle_batch).
    struct RunItem {
        std::size_t index;  // in the batch
        Origin origin;
        Request request;
        Role role;
    };
    struct RunDecision;
    void open_run(std::vector<RunItem>& run, std::vector<BatchAnswer>& answers);
    // Decides the run in order into the book (`out`: taken out after a kernel refusal).
    std::vector<RunDecision> decide_run(const std::vector<RunItem>& run,
                                        const std::vector<std::optional<Refusal>>& out,
                                        wire::SysSeconds now);
    void undo_run(const std::vector<RunDecision>& d);
    // Journals each decision in order (a grant the journal refuses is rolled back alone) and
    // answers it.
    void journal_run(const std::vector<RunItem>& run, std::vector<RunDecision>& d,
                     wire::SysSeconds now, std::vector<BatchAnswer>& answers);
    // The supersede record of `old`, replaced by grant `by` (best effort).
    void note_superseded(const Origin& origin, const wire::Grant& old, const std::string& by);
    // Journals the refusal (a deny) and builds the error response.
    static nlohmann::json refuse(AuditEvent& ev, const Refusal& refusal);
    // An opening change applied in the kernel whose record the journal did not take: undoes it
    // and answers audit_unavailable (the deny itself is best effort).
    nlohmann::json refuse_unaudited(const OpCall& call, nft::Change& undo, const std::string& what);
    // Applies a change; on a kernel refusal returns the Refusal (internal) to answer with.
    std::optional<Refusal> apply(nft::Change& change, const std::string& what);
    // Logs the elements a rebuild could not read and removes those that claim to be jitd's.
    void remove_strays(const std::vector<nft::ListedElement>& strays);
    // Removes (kernel and book) the grants `policy_` no longer allows; journals each. With
    // `judge_owners` (reload) also those whose owner no longer has a role that may open.
    std::vector<std::string> revoke_disallowed(bool judge_owners = false);
    // The kernel's remaining time for each grant (the longest of its elements; nullopt: none
    // left), by lookups for a few grants, by one listing for many.
    std::vector<std::optional<Millis>> kernel_remaining(const std::vector<std::string>& ids);
    // kernel_->apply(); when the kernel says the table or a set is gone (another tool deleted
    // it and the event is still queued), restores the table first and tries once more.
    void apply_restoring(const nft::Change& change);
    // The wall clock now, in whole seconds (from `clocks_`).
    wire::SysSeconds wall_now() const;
    // Keeps a copy of the policy in force for a lock-down at a later start (lockdown.hpp).
    void save_policy_copy() const;
    // engine_sessions.cpp: the TCP sessions open on the policy's protected TCP ports (the first
    // install's pickups; none, with a warning, when sock_diag fails), and ending the sessions
    // behind a revoked grant: its pickups, sockets and conntrack entries, counted on `ev`.
    std::vector<nft::Tuple> sessions_to_pick_up() const;
    void warn_if_sockets_unkillable() const;
    nlohmann::json kill_sessions_of(const LiveGrant& g, AuditEvent& ev);

    std::string policy_path_;
    config::Policy policy_;
    std::function<ClockSample()> clocks_;
    std::unique_ptr<nft::Kernel> kernel_;
    GrantBook book_;
    PendingBook pending_;
    std::function<void(const std::string&, const nlohmann::json&)> on_decided_;
    std::optional<std::string> waiting_;  // see take_waiting()
    HookRunner hook_runner_;
    wire::SysSeconds since_;
    std::function<std::vector<Peer>()> live_peers_;
    std::function<nlohmann::json()> remote_status_;
    std::function<void()> after_reload_;
    std::string state_dir_;
    BookClock clock_;
    wire::SysSeconds handled_until_{};  // expire_due() has looked at every end up to this
    std::unordered_map<std::string, Millis> recheck_;  // due, still in the kernel: look again at
};

}  // namespace jitd::agent
