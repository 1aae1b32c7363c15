#include "agent/client/recommended_text.hpp"

#include "agent/client/display_text.hpp"

namespace jitd::client {

std::string recommended_text(const nlohmann::json& status) {
    const auto list = status.value("recommended", nlohmann::json::array());
    std::string lines;
    for (const auto& r : list) {
        if (!r.is_object()) continue;
        lines += "  " + std::to_string(r.value("port", 0U)) + "/" +
                 printable(r.value("protocol", "")) + " (" + printable(r.value("service", "")) +
                 "): add to ports:  " + printable(r.value("policy", "")) + "\n";
    }
    if (lines.empty()) return lines;
    return "listening but not protected (recommended for the policy):\n" + lines;
}

}  // namespace jitd::client
