// Engine and the clocks: confirming expiries with the kernel, re-timing the book after a
// wall-clock step or a suspend (agent/daemon/clocks.hpp says why the kernel follows neither).
#include <algorithm>

#include <spdlog/spdlog.h>

#include "agent/daemon/engine.hpp"

namespace jitd::agent {
namespace {

// Up to this many element lookups; beyond, one listing of every element is cheaper.
constexpr std::size_t kMaxLookups = 64;

using Remaining = std::unordered_map<nft::ElementKey, Millis, ElementKeyHash>;

Remaining remaining_of(const std::vector<nft::ListedElement>& elements) {
    Remaining out;
    out.reserve(elements.size());
    for (const auto& e : elements) out[e.key] = e.remaining;
    return out;
}

std::optional<Millis> longest(const LiveGrant& g, const Remaining& remaining) {
    std::optional<Millis> best;
    for (const auto& k : g.keys())
        if (auto it = remaining.find(k); it != remaining.end())
            best = std::max(best.value_or(it->second), it->second);
    return best;
}

}  // namespace

std::vector<std::optional<Millis>> Engine::kernel_remaining(const std::vector<std::string>& ids) {
    std::vector<std::optional<Millis>> out;
    out.reserve(ids.size());
    std::size_t keys = 0;
    for (const auto& id : ids) keys += book_.find(id)->keys().size();
    if (keys > kMaxLookups) {
        const Remaining remaining = remaining_of(kernel_->list_elements());
        for (const auto& id : ids) out.push_back(longest(*book_.find(id), remaining));
        return out;
    }
    for (const auto& id : ids) {
        std::optional<Millis> best;
        for (const auto& k : book_.find(id)->keys())
            if (auto e = kernel_->find_element(k))
                best = std::max(best.value_or(e->remaining), e->remaining);
        out.push_back(best);
    }
    return out;
}

void Engine::check_clocks(bool force) {
    const ClockSample clocks = clocks_();
    if (!force && !clock_.out_of_step(clocks)) return;
    const Millis step = clock_.wall_step(clocks), slept = clock_.slept(clocks);
    Remaining remaining;
    try {
        remaining = remaining_of(kernel_->list_elements());
    } catch (const std::exception& e) {
        // The book stays in its old frame (expiry still runs on CLOCK_MONOTONIC); next wake-up
        // tries again.
        spdlog::warn("cannot re-time the grants after a clock change: {}", e.what());
        return;
    }
    // Sampled before the listing: each end is at or before the kernel's expiry.
    const auto now = std::chrono::floor<std::chrono::seconds>(clocks.realtime);
    std::vector<std::pair<std::string, wire::SysSeconds>> ends;
    book_.for_each([&](const LiveGrant& g) {
        if (auto left = longest(g, remaining)) {
            auto end = std::chrono::floor<std::chrono::seconds>(clocks.realtime + *left);
            if (end != g.grant.end) ends.emplace_back(g.grant.id, end);
        } else if (g.grant.end > now) {
            ends.emplace_back(g.grant.id, now);  // gone from the kernel: expire_due() journals it
        }
    });
    for (const auto& [id, end] : ends) book_.retime(id, end);
    clock_.sync(clocks);
    handled_until_ = std::min(handled_until_, now);
    recheck_.clear();
    spdlog::info("wall clock moved by {} ms (slept {} ms): {} grants re-timed from the kernel",
                 step.count(), slept.count(), ends.size());
}

std::optional<Millis> Engine::next_deadline() const {
    std::optional<Millis> next;
    for (const auto& [id, at] : recheck_) next = std::min(next.value_or(at), at);
    if (auto end = book_.next_end_after(handled_until_)) {
        const Millis at = clock_.monotonic_at(*end);
        next = std::min(next.value_or(at), at);
    }
    if (auto lapse = pending_.next_lapse()) {
        const Millis at = clock_.monotonic_at(*lapse);
        next = std::min(next.value_or(at), at);
    }
    return next;
}

}  // namespace jitd::agent
