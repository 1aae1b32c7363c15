// Pending requests in the kernel's `pending` set (pending_elements.hpp): stored when asked,
// one more element per approval, removed when they end, and read back at start.
#include <spdlog/spdlog.h>

#include "agent/daemon/engine.hpp"
#include "agent/daemon/pending_elements.hpp"

namespace jitd::agent {
namespace {

Refusal kernel_refused(const std::string& what, const std::exception& e) {
    spdlog::warn("kernel refused {}: {}", what, e.what());
    return {wire::ErrorCode::internal, "the kernel refused " + what + ": " + e.what()};
}

std::vector<std::uint64_t> keys_of(const PendingRequest& p) {
    std::vector<std::uint64_t> out;
    for (unsigned slot = 0; slot <= p.approvals.size(); ++slot)
        if (auto k = pending_key(p.id, slot)) out.push_back(*k);
    return out;
}

}  // namespace

std::optional<Refusal> Engine::store_pending(const PendingRequest& p) {
    try {
        kernel_->add_pending(elements_of(p, wall_now()));
        return std::nullopt;
    } catch (const std::exception& e) {
        return kernel_refused("pending request " + p.id, e);
    }
}

std::optional<Refusal> Engine::store_approval(const PendingRequest& p, const Approver& a) {
    const auto key = pending_key(p.id, static_cast<unsigned>(p.approvals.size()));
    const auto now = wall_now();
    const auto left = std::max<Millis>(p.lapses - now, std::chrono::seconds(1));
    try {
        kernel_->add_pending({{*key, left, {}, format_approval_comment(a, now)}});
        return std::nullopt;
    } catch (const std::exception& e) {
        return kernel_refused("the approval of " + p.id, e);
    }
}

void Engine::drop_approval(const PendingRequest& p, const Approver& /*a*/) {
    try {
        kernel_->remove_pending({*pending_key(p.id, static_cast<unsigned>(p.approvals.size()))});
    } catch (const std::exception& e) {
        spdlog::warn("cannot remove the approval of {} from the kernel: {}", p.id, e.what());
    }
}

void Engine::drop_pending(const PendingRequest& p) {
    try {
        kernel_->remove_pending(keys_of(p));
    } catch (const std::exception& e) {
        // Left in the kernel, it times out at its lapse; a restart before then would list it
        // again, so say so.
        spdlog::warn("cannot remove pending request {} from the kernel (it times out at {}): {}",
                     p.id, wire::format_iso8601(p.lapses), e.what());
    }
}

void Engine::rebuild_pending() {
    pending_.clear();
    const auto listed_at = clocks_().realtime;
    RebuiltPending rebuilt = rebuild_pending_requests(kernel_->list_pending(), listed_at);
    if (!rebuilt.strays.empty()) {
        spdlog::warn(
            "{} elements of set pending describe no request jitd can rebuild; removing them",
            rebuilt.strays.size());
        try {
            kernel_->remove_pending(rebuilt.strays);
        } catch (const std::exception& e) {
            spdlog::warn("cannot remove them: {}", e.what());
        }
    }
    for (auto& p : rebuilt.requests) {
        p.user = name_of_uid(p.uid);
        for (auto& a : p.approvals) a.user = name_of_uid(a.uid);
        pending_.add(std::move(p));
    }
    if (pending_.size() != 0)
        spdlog::info("{} pending approval requests from the kernel", pending_.size());
}

std::vector<nft::PendingElement> Engine::pending_elements() const {
    std::vector<nft::PendingElement> out;
    const auto now = wall_now();
    pending_.for_each([&](const PendingRequest& p) {
        for (auto& e : elements_of(p, now)) out.push_back(std::move(e));
    });
    return out;
}

}  // namespace jitd::agent
