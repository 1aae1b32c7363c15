#include "agent/daemon/table_changes.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace jitd::agent {
namespace {

bool own(const nft::Burst& b, std::uint32_t portid, pid_t pid) {
    if (b.generation &&
        (b.generation->portid == portid || b.generation->pid == static_cast<std::uint32_t>(pid)))
        return true;
    return std::all_of(b.events.begin(), b.events.end(),
                       [&](const nft::TableEvent& e) { return e.portid == portid; });
}

bool matters(const nft::TableEvent& e,
             const std::function<bool(const nft::ElementKey&)>& live_key) {
    if (e.object != nft::TableEvent::Object::element || e.added || e.grant_keys.empty())
        return true;
    return std::any_of(e.grant_keys.begin(), e.grant_keys.end(), live_key);
}

std::string who(const nft::Burst& b) {
    if (!b.generation) return b.events.front().portid == 0 ? "the kernel" : "unknown";
    if (b.generation->pid == 0)
        return "unknown (portid " + std::to_string(b.generation->portid) + ")";
    return std::to_string(b.generation->pid) + " " + b.generation->comm;
}

// One line per change that matters; a deleted table stands for everything in it, and the rules
// of one chain added or deleted together are one line.
std::vector<std::string> describe(const nft::Burst& b,
                                  const std::function<bool(const nft::ElementKey&)>& live_key) {
    using Object = nft::TableEvent::Object;
    for (const auto& e : b.events)
        if (e.object == Object::table && !e.added) return {e.str()};
    std::vector<std::string> lines;
    std::map<std::pair<bool, std::string>, std::size_t> rules;  // (added, chain) -> count
    std::vector<const nft::TableEvent*> first_rule;
    for (const auto& e : b.events) {
        if (!matters(e, live_key)) continue;
        if (e.object == Object::rule) {
            if (rules[{e.added, e.name}]++ == 0) first_rule.push_back(&e);
            continue;
        }
        lines.push_back(e.str());
    }
    for (const auto* e : first_rule) {
        const std::size_t n = rules[{e->added, e->name}];
        lines.push_back(n == 1 ? e->str()
                               : std::string(e->added ? "added " : "deleted ") + std::to_string(n) +
                                     " rules of chain " + e->name);
    }
    return lines;
}

}  // namespace

ForeignChanges foreign_changes(const nft::EventRead& read, std::uint32_t own_portid, pid_t own_pid,
                               const std::function<bool(const nft::ElementKey&)>& live_key) {
    ForeignChanges out;
    for (const auto& b : read.bursts) {
        if (b.events.empty() || own(b, own_portid, own_pid)) continue;
        const auto lines = describe(b, live_key);
        if (lines.empty()) continue;
        out.changed.insert(out.changed.end(), lines.begin(), lines.end());
        std::string by = who(b);
        if (std::find(out.changed_by.begin(), out.changed_by.end(), by) == out.changed_by.end())
            out.changed_by.push_back(std::move(by));
    }
    return out;
}

}  // namespace jitd::agent
