#include "agent/daemon/approval_hook_payload.hpp"

#include <limits.h>
#include <unistd.h>

#include <array>

#include "agent/daemon/approval_hook.hpp"

namespace jitd::agent {

std::string hook_payload(const PendingRequest& p, std::string_view event,
                         const nlohmann::json& extra, const std::string& host) {
    nlohmann::json j = to_json(p);
    j["event"] = event;
    j["channel"] = p.channel;
    j["host"] = host;
    if (extra.is_object()) j.update(extra);
    std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // The other fields are bounded and short; only the reason can make it long.
    while (out.size() + 1 > kMaxHookPayload && !j["reason"].get<std::string>().empty()) {
        std::string reason = j["reason"].get<std::string>();
        reason.resize(reason.size() / 2);
        j["reason"] = reason;
        j["reason_cut"] = true;
        out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return out + "\n";
}

std::string this_host_name() {
    std::array<char, HOST_NAME_MAX + 1> name{};
    if (::gethostname(name.data(), name.size() - 1) != 0) return {};
    return name.data();
}

}  // namespace jitd::agent
