#include "tests/fuzz/event_checks.hpp"

#include <cstring>
#include <vector>

#include "nft/monitor.hpp"

namespace jitd::fuzz {

std::string check_events_input(std::string_view input) {
    // recv() hands the parser aligned memory; so does this copy.
    std::vector<std::uint32_t> aligned(input.size() / 4 + 1);
    std::memcpy(aligned.data(), input.data(), input.size());
    nft::EventRead read;
    nft::parse_events(aligned.data(), input.size(), read);
    for (const auto& b : read.bursts) {
        if (b.events.empty()) return "a burst without events";
        for (const auto& e : b.events) {
            if (e.str().empty()) return "an event without a description";
            if (e.grant_keys.size() > e.elements) return "more keys than elements";
            for (const auto& k : e.grant_keys) {
                const auto p = nft::parse_prefix(k.source.str());
                if (!p || !(*p == k.source)) return "a decoded source does not parse back";
            }
        }
    }
    return "";
}

}  // namespace jitd::fuzz
