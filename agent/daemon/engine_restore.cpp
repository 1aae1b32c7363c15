// Engine: putting table inet jitd back after another tool changed it, finding out whether the
// kernel still holds what it should (after lost events), and what else in the ruleset drops.
#include <set>

#include <spdlog/spdlog.h>

#include "agent/daemon/engine.hpp"
#include "agent/daemon/policy_bridge.hpp"

namespace jitd::agent {
namespace {

// The kernel's expiry trails a grant's end by up to a second (the element was added at start +
// a fraction of a second).
constexpr std::chrono::milliseconds kSoonGone{2000};

std::vector<nft::Element> elements_of(const GrantBook& book, wire::SysSeconds now) {
    std::vector<nft::Element> out;
    out.reserve(book.size());
    book.for_each([&](const LiveGrant& g) {
        for (const auto& k : g.keys()) out.push_back(element_of(g, k, now));
    });
    return out;
}

}  // namespace

RestoreOutcome Engine::restore_table() {
    RestoreOutcome out;
    const auto now = wall_now();
    out.expired = expire_due();  // ended meanwhile: journaled as expired, not put back
    const auto elements = elements_of(book_, now);
    const auto t0 = std::chrono::steady_clock::now();
    kernel_->restore(table_spec(policy_), elements, pending_elements());
    out.took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - t0);
    out.grants = book_.size();
    out.elements = elements.size();
    return out;
}

void Engine::apply_restoring(const nft::Change& change) {
    // Another tool may remove the table again between our restore and the apply (a script that
    // flushes in a loop): a few rounds, then the refusal stands.
    constexpr int kRounds = 4;
    for (int round = 0;; ++round) {
        try {
            kernel_->apply(change);
            return;
        } catch (const nft::Error& e) {
            if (e.kind() != nft::Error::Kind::not_found || round == kRounds) throw;
            spdlog::warn("{}: table inet jitd was changed by someone else; restoring it first",
                         e.what());
        }
        // No expiry here: the op that called us still holds pointers into the book.
        kernel_->restore(table_spec(policy_), elements_of(book_, wall_now()), pending_elements());
    }
}

std::vector<std::string> Engine::kernel_differences() {
    if (!kernel_->table_exists()) return {"table inet jitd is missing"};
    std::vector<std::string> out;
    const std::size_t rules = kernel_->input_rule_count();
    const std::size_t expected = kernel_->expected_input_rules(table_spec(policy_));
    if (rules != expected)
        out.push_back("chain input holds " + std::to_string(rules) + " rules instead of " +
                      std::to_string(expected));
    std::set<std::string> in_kernel;
    for (const auto& e : kernel_->list_elements()) {
        in_kernel.insert(e.key.str());
        // An element the kernel drops within moments (an ended grant's, whose expiry trails its
        // end by up to a second) is not worth a restore.
        if (book_.find_by_key(e.key) == nullptr && e.remaining > kSoonGone)
            out.push_back("foreign grant element " + e.key.str());
    }
    book_.for_each([&](const LiveGrant& g) {
        for (const auto& k : g.keys())
            if (in_kernel.count(k.str()) == 0)
                out.push_back("grant element " + k.str() + " of " + g.grant.id + " is missing");
    });
    return out;
}

std::vector<std::string> Engine::foreign_drop_chains() {
    try {
        return kernel_->foreign_input_drop_chains();
    } catch (const std::exception& e) {
        spdlog::warn("cannot list the ruleset's chains: {}", e.what());
        return {};
    }
}

}  // namespace jitd::agent
