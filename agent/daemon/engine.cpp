// Engine lifecycle: start (install + rebuild), reload, expiry, policy revocations.
#include "agent/daemon/engine.hpp"

#include <malloc.h>

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/daemon/comment.hpp"
#include "agent/daemon/grant_rebuild.hpp"
#include "agent/daemon/last_good_policy.hpp"
#include "agent/daemon/notify.hpp"
#include "agent/daemon/owner_role.hpp"
#include "agent/daemon/policy_bridge.hpp"
#include "agent/daemon/policy_summary.hpp"
#include "agent/daemon/request_audit.hpp"
#include "config/policy_loader.hpp"

namespace jitd::agent {
namespace {

// Kernel text for a log line: JSON-quoted, invalid UTF-8 replaced, so control characters in a
// foreign comment cannot forge log lines.
std::string printable(const std::string& text) {
    return nlohmann::json(text).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Engine::Engine(std::string policy_path, config::Policy policy, std::unique_ptr<nft::Kernel> kernel,
               std::function<ClockSample()> clocks)
    : policy_path_(std::move(policy_path)),
      policy_(std::move(policy)),
      clocks_(std::move(clocks)),
      kernel_(std::move(kernel)),
      since_(wall_now()),
      clock_(clocks_()) {}

wire::SysSeconds Engine::wall_now() const {
    return std::chrono::floor<std::chrono::seconds>(clocks_().realtime);
}

void Engine::start() {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    // Only the first install needs pickups: when the table exists, conntrack already tracks
    // the sessions it let in.
    std::vector<nft::Tuple> pickups;
    if (!kernel_->table_exists()) pickups = sessions_to_pick_up();
    kernel_->install(table_spec(policy_), pickups);
    if (!pickups.empty())
        spdlog::info(
            "first install: {} open TCP sessions on protected ports may resume within {} s",
            pickups.size(), nft::kPickupTimeout.count());
    warn_if_sockets_unkillable();
    const auto t1 = Clock::now();
    save_policy_copy();
    const ClockSample listed_at = clocks_();
    const auto now_ms = listed_at.realtime;
    auto elements = kernel_->list_elements();
    const auto t2 = Clock::now();
    Rebuilt rebuilt = rebuild_grants(elements, now_ms, {uid_of_name, name_of_uid});
    if (rebuilt.legacy != 0)
        spdlog::info("{} grant elements carry the previous release's comment (owner by name)",
                     rebuilt.legacy);
    remove_strays(rebuilt.strays);
    const auto t3 = Clock::now();
    // rebuilt.spent: ended grants the kernel drops within a second; an open of the same key
    // replaces such an element (Engine::apply).
    // In end order: the book's end index then appends instead of searching (grant_book.cpp).
    // The ends sit beside the indexes so that the sort reads one array, not 100k grants.
    std::vector<std::pair<wire::SysSeconds, std::size_t>> order;
    order.reserve(rebuilt.grants.size());
    for (std::size_t i = 0; i < rebuilt.grants.size(); ++i)
        order.emplace_back(rebuilt.grants[i].grant.end, i);
    std::sort(order.begin(), order.end());
    book_.reserve(rebuilt.grants.size());
    for (const auto& [end, i] : order) book_.add(std::move(rebuilt.grants[i]));
    const auto t4 = Clock::now();
    clock_.sync(listed_at);
    handled_until_ = std::chrono::floor<std::chrono::seconds>(now_ms);
    revoke_disallowed();
    rebuild_pending();
    const auto t5 = Clock::now();
    // The listing is garbage now; its pages (and the dump threads' arenas) go back to the
    // system instead of staying in the daemon's RSS for as long as it runs.
    const std::size_t listed = elements.size();
    elements = {};
    rebuilt = {};
    malloc_trim(0);
    const auto t6 = Clock::now();
    auto ms = [](auto d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    spdlog::info(
        "{} live grants from {} kernel elements (install {} ms, listing {} ms, rebuild {} ms: "
        "grants {}, book {}, policy {}, release {})",
        book_.size(), listed, ms(t1 - t0), ms(t2 - t1), ms(t6 - t2), ms(t3 - t2), ms(t4 - t3),
        ms(t5 - t4), ms(t6 - t5));
}

void Engine::remove_strays(const std::vector<nft::ListedElement>& strays) {
    // Logged once each, at the start that finds them: a stray claiming to be jitd's is removed
    // (it is ours and cannot be rebuilt, so it must not hold a door open nobody can see);
    // anything else in our sets is not ours to judge and is left to expire.
    constexpr std::size_t kLogged = 20;
    nft::Change change;
    std::size_t foreign = 0;
    for (const auto& e : strays) {
        const bool ours = claims_jitd(e.comment);
        if (ours)
            change.remove.push_back(e.key);
        else
            ++foreign;
        if (change.remove.size() + foreign <= kLogged)
            spdlog::warn("element {} has no comment jitd can rebuild a grant from ({}); {}",
                         e.key.str(), printable(e.comment),
                         ours ? "removing it" : "leaving it to expire");
    }
    if (strays.size() > kLogged)
        spdlog::warn("{} more such elements ({} removed, {} left to expire in all)",
                     strays.size() - kLogged, change.remove.size(), foreign);
    if (!change.empty()) apply(change, "removing unreadable grant elements");
}

ReloadOutcome Engine::reload(const std::string& actor, uid_t actor_uid, const Origin* origin) {
    notify_reloading();
    ReloadOutcome out;
    AuditEvent ev(AuditKind::reload);
    ev.user(actor, actor_uid).set("JITD_ACTOR", actor).set("JITD_POLICY", policy_path_);
    if (origin != nullptr) note_origin(ev, *origin);
    auto refuse_reload = [&](wire::ErrorCode code, const std::string& message) {
        ev.set("JITD_ERROR", std::string(wire::to_string(code)));
        ev.message("policy reload refused, the old policy stays in force: " + message);
        ev.commit();
        spdlog::warn("policy reload refused: {}", message);
        out.refusal = Refusal{code, message};
        notify_ready("Reload refused; the old policy stays in force");
        return out;
    };
    config::Policy next;
    try {
        next = config::load_policy_file(policy_path_);
    } catch (const config::PolicyError& e) {
        return refuse_reload(wire::ErrorCode::policy_invalid, e.what());
    }
    try {
        kernel_->install(table_spec(next), {});
    } catch (const nft::Error& e) {
        return refuse_reload(wire::ErrorCode::internal,
                             std::string("the kernel refused the new ruleset: ") + e.what());
    }
    policy_ = std::move(next);
    save_policy_copy();
    out.revoked = revoke_disallowed(true);
    if (after_reload_) after_reload_();  // the remote channel reloads its keys
    note_policy(ev, policy_);
    ev.message("policy reloaded from " + policy_path_ + " by " + actor + "; " +
               std::to_string(out.revoked.size()) + " grants revoked");
    ev.commit();
    spdlog::info("policy reloaded from {}; {} grants revoked", policy_path_, out.revoked.size());
    notify_ready("Policy reloaded; " + std::to_string(book_.size()) + " grants");
    return out;
}

std::vector<std::string> Engine::revoke_disallowed(bool judge_owners) {
    std::vector<std::pair<std::string, std::string>> doomed;  // id, why
    std::vector<Peer> live;
    if (judge_owners && live_peers_) live = live_peers_();
    std::unordered_map<std::string, Role> roles;  // one lookup per owner, not per grant
    book_.for_each([&](const LiveGrant& g) {
        auto why = disallowed_by(policy_, g);
        if (why.empty() && judge_owners) {
            auto [it, fresh] =
                roles.try_emplace(std::to_string(g.grant.uid) + ":" + g.grant.user, Role::none);
            if (fresh) it->second = owner_role(policy_.access, g.grant.uid, g.grant.user, live);
            if (!may_run(it->second, Op::open))
                why = g.grant.user + " no longer has a role that may hold grants (role " +
                      std::string(to_string(it->second)) + ")";
        }
        if (!why.empty()) doomed.emplace_back(g.grant.id, why);
    });
    if (doomed.empty()) return {};
    nft::Change change;
    for (const auto& [id, why] : doomed)
        for (const auto& k : book_.find(id)->keys()) change.remove.push_back(k);
    if (auto refusal = apply(change, "revoking grants the policy no longer allows")) {
        // One batch failed; try each grant alone so one bad element does not keep the rest.
        std::vector<std::pair<std::string, std::string>> done;
        for (const auto& d : doomed) {
            nft::Change one;
            one.remove = book_.find(d.first)->keys();
            if (!apply(one, "revoking " + d.first)) done.push_back(d);
        }
        doomed = std::move(done);
    }
    std::vector<std::string> ids;
    for (const auto& [id, why] : doomed) {
        auto g = book_.remove(id);
        AuditEvent ev(AuditKind::revoke);
        ev.grant(g->grant).set(audit_fields::kCause, audit_causes::kPolicy);
        ev.message(fmt::format("grant {} of {} revoked: {}", id, g->grant.user, why));
        ev.commit();
        spdlog::info("revoked grant {} of {}: {}", id, g->grant.user, why);
        ids.push_back(id);
    }
    return ids;
}

std::size_t Engine::expire_due() {
    const ClockSample clocks = clocks_();
    const SysMillis now_ms = clock_.now(clocks);  // the book's frame: steps do not move it
    const auto now = std::chrono::floor<std::chrono::seconds>(now_ms);
    std::erase_if(recheck_, [&](const auto& r) {
        const LiveGrant* g = book_.find(r.first);
        return g == nullptr || g->grant.end > now;  // gone, or extended meanwhile
    });
    std::vector<std::string> ids;
    for (auto& id : book_.due(now)) {
        auto r = recheck_.find(id);
        if (r == recheck_.end() || r->second <= clocks.monotonic) ids.push_back(std::move(id));
    }
    handled_until_ = std::max(handled_until_, now);
    lapse_due();
    if (ids.empty()) return 0;
    std::vector<std::optional<Millis>> remaining;
    try {
        remaining = kernel_remaining(ids);
    } catch (const std::exception& e) {
        // Unconfirmed is not expired: ask again in a second.
        spdlog::warn("cannot confirm {} expiries with the kernel: {}", ids.size(), e.what());
        for (const auto& id : ids) recheck_[id] = clocks.monotonic + std::chrono::seconds(1);
        return 0;
    }
    std::size_t expired = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string& id = ids[i];
        if (const auto left = remaining[i]) {
            const auto kernel_end = std::chrono::floor<std::chrono::seconds>(now_ms + *left);
            if (kernel_end > now) {  // the book was early (a clock step not seen yet)
                spdlog::info("grant {} is still in the kernel for {} ms: re-timed", id,
                             left->count());
                book_.retime(id, kernel_end);
                recheck_.erase(id);
            } else {  // the kernel closes it within this second
                recheck_[id] = clocks.monotonic + *left + Millis(1);
            }
            continue;
        }
        recheck_.erase(id);
        auto g = book_.remove(id);
        AuditEvent ev(AuditKind::expire);
        ev.grant(g->grant).set(audit_fields::kCause, audit_causes::kExpired);
        ev.message("grant " + id + " of " + g->grant.user + " for " + g->grant.source + " " +
                   config::to_string(g->grant.protocol) + "/" + std::to_string(g->grant.port) +
                   " expired");
        ev.commit();
        spdlog::debug("grant {} expired", id);
        ++expired;
    }
    return expired;
}

void Engine::save_policy_copy() const {
    if (state_dir_.empty()) return;
    if (auto why = save_last_good_policy(state_dir_, policy_path_); !why.empty())
        spdlog::warn("cannot keep a copy of the policy in {}: {}", state_dir_, why);
}

std::optional<Refusal> Engine::apply(nft::Change& change, const std::string& what) {
    // The book decides what may be opened; a key the kernel still holds but the book does not
    // (an ended grant's element the kernel drops within a second, a spent one a restart found,
    // a foreign exact duplicate) is replaced in the same transaction (nft/elements.cpp).
    change.replace = true;
    try {
        apply_restoring(change);
        return std::nullopt;
    } catch (const nft::Error& e) {
        spdlog::warn("kernel refused {}: {}", what, e.what());
        return Refusal{wire::ErrorCode::internal, "the kernel refused " + what + ": " + e.what()};
    } catch (const std::exception& e) {
        spdlog::warn("applying {} failed: {}", what, e.what());
        return Refusal{wire::ErrorCode::internal, "applying " + what + " failed: " + e.what()};
    }
}

}  // namespace jitd::agent
