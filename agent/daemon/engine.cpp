// Engine lifecycle: start (install + rebuild), reload, expiry, policy revocations.
#include "agent/daemon/engine.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/daemon/notify.hpp"
#include "agent/daemon/policy_bridge.hpp"
#include "config/policy_loader.hpp"

namespace jitd::agent {
namespace {

// The kernel's expiry may trail a grant's end by up to a second (the element was added at
// start + a fraction); a key stays "lingering" this long after its grant ended.
constexpr std::chrono::seconds kLinger{2};

}  // namespace

Engine::Engine(std::string policy_path, config::Policy policy, nft::Session session)
    : policy_path_(std::move(policy_path)),
      policy_(std::move(policy)),
      session_(std::move(session)),
      since_(wire::now_seconds()) {}

void Engine::start() {
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    session_.install(table_spec(policy_));
    const auto t1 = Clock::now();
    auto now_ms =
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
    auto elements = session_.list_elements();
    const auto t2 = Clock::now();
    std::unordered_map<std::string, uid_t> uids;  // one NSS lookup per user, not per grant
    auto uid_lookup = [&uids](const std::string& user) {
        auto [it, fresh] = uids.try_emplace(user, static_cast<uid_t>(-1));
        if (fresh) it->second = uid_of(user).value_or(static_cast<uid_t>(-1));
        return it->second;
    };
    Rebuilt rebuilt = rebuild_grants(elements, now_ms, uid_lookup);
    for (const auto& e : rebuilt.strays)
        spdlog::warn("element {} has no jitd comment ('{}'); leaving it to expire", e.key.str(),
                     e.comment);
    auto now = std::chrono::floor<std::chrono::seconds>(now_ms);
    for (const auto& e : rebuilt.spent) remember_lingering({e.key}, now);
    book_.reserve(rebuilt.grants.size());
    for (auto& g : rebuilt.grants) book_.add(std::move(g));
    revoke_disallowed();
    auto ms = [](auto d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    spdlog::info(
        "{} live grants from {} kernel elements (install {} ms, listing {} ms, "
        "rebuild {} ms)",
        book_.size(), elements.size(), ms(t1 - t0), ms(t2 - t1), ms(Clock::now() - t2));
}

ReloadOutcome Engine::reload(const std::string& actor, uid_t actor_uid) {
    notify_reloading();
    ReloadOutcome out;
    AuditEvent ev(AuditKind::reload);
    ev.user(actor, actor_uid).set("JITD_ACTOR", actor).set("JITD_POLICY", policy_path_);
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
        session_.install(table_spec(next));
    } catch (const nft::Error& e) {
        return refuse_reload(wire::ErrorCode::internal,
                             std::string("the kernel refused the new ruleset: ") + e.what());
    }
    policy_ = std::move(next);
    out.revoked = revoke_disallowed();
    ev.message("policy reloaded from " + policy_path_ + " by " + actor + "; " +
               std::to_string(out.revoked.size()) + " grants revoked");
    ev.commit();
    spdlog::info("policy reloaded from {}; {} grants revoked", policy_path_, out.revoked.size());
    notify_ready("Policy reloaded; " + std::to_string(book_.size()) + " grants");
    return out;
}

std::vector<std::string> Engine::revoke_disallowed() {
    std::vector<std::pair<std::string, std::string>> doomed;  // id, why
    book_.for_each([&](const LiveGrant& g) {
        if (auto why = disallowed_by(policy_, g); !why.empty())
            doomed.emplace_back(g.grant.id, why);
    });
    if (doomed.empty()) return {};
    nft::Change change;
    for (const auto& [id, why] : doomed)
        for (const auto& k : book_.find(id)->keys) change.remove.push_back(k);
    if (auto refusal = apply(change, "revoking grants the policy no longer allows")) {
        // One batch failed; try each grant alone so one bad element does not keep the rest.
        std::vector<std::pair<std::string, std::string>> done;
        for (const auto& d : doomed) {
            nft::Change one;
            one.remove = book_.find(d.first)->keys;
            if (!apply(one, "revoking " + d.first)) done.push_back(d);
        }
        doomed = std::move(done);
    }
    std::vector<std::string> ids;
    for (const auto& [id, why] : doomed) {
        auto g = book_.remove(id);
        AuditEvent ev(AuditKind::revoke);
        ev.grant(g->grant).set("JITD_REASON", "policy");
        ev.message("grant " + id + " of " + g->grant.user + " revoked: " + why);
        ev.commit();
        spdlog::info("revoked grant {} of {}: {}", id, g->grant.user, why);
        ids.push_back(id);
    }
    return ids;
}

std::size_t Engine::expire_due(wire::SysSeconds now) {
    while (!linger_queue_.empty() && linger_queue_.front().first + kLinger < now) {
        auto it = lingering_.find(linger_queue_.front().second);
        if (it != lingering_.end() && it->second == linger_queue_.front().first)
            lingering_.erase(it);
        linger_queue_.pop_front();
    }
    auto ids = book_.due(now);
    for (const auto& id : ids) {
        auto g = book_.remove(id);
        remember_lingering(g->keys, g->grant.end);
        AuditEvent ev(AuditKind::expire);
        ev.grant(g->grant).set("JITD_REASON", "expired");
        ev.message("grant " + id + " of " + g->grant.user + " for " + g->grant.source + " " +
                   config::to_string(g->grant.protocol) + "/" + std::to_string(g->grant.port) +
                   " expired");
        ev.commit();
        spdlog::debug("grant {} expired", id);
    }
    return ids.size();
}

void Engine::remember_lingering(const std::vector<nft::ElementKey>& keys, wire::SysSeconds end) {
    for (const auto& k : keys) {
        lingering_[k] = end;
        linger_queue_.emplace_back(end, k);
    }
}

void Engine::add_lingering_removes(nft::Change& change) const {
    if (lingering_.empty()) return;
    for (const auto& e : change.add)
        if (lingering_.count(e.key) != 0 &&
            std::find(change.remove.begin(), change.remove.end(), e.key) == change.remove.end())
            change.remove.push_back(e.key);
}

std::optional<Refusal> Engine::apply(nft::Change& change, const std::string& what) {
    add_lingering_removes(change);
    try {
        apply_restoring(change);
        return std::nullopt;
    } catch (const nft::Error& e) {
        if (e.kind() == nft::Error::Kind::exists && change.remove.empty()) {
            // The kernel still holds a key we no longer track (it expires within a second,
            // or a restart found it spent): replace it in the same transaction.
            for (const auto& a : change.add) change.remove.push_back(a.key);
            try {
                apply_restoring(change);
                return std::nullopt;
            } catch (const nft::Error& again) {
                spdlog::warn("kernel refused {}: {}", what, again.what());
                return Refusal{wire::ErrorCode::internal,
                               "the kernel refused " + what + ": " + again.what()};
            }
        }
        spdlog::warn("kernel refused {}: {}", what, e.what());
        return Refusal{wire::ErrorCode::internal, "the kernel refused " + what + ": " + e.what()};
    } catch (const std::exception& e) {
        spdlog::warn("applying {} failed: {}", what, e.what());
        return Refusal{wire::ErrorCode::internal, "applying " + what + " failed: " + e.what()};
    }
}

}  // namespace jitd::agent
