#include "config/policy_warnings.hpp"

namespace jitd::config {

std::vector<std::string> policy_warnings(const Policy& policy) {
    std::vector<std::string> out;
    for (const auto& c : policy.always_allow) {
        const bool v4 = c.family == Cidr::Family::ipv4;
        const unsigned widest = v4 ? policy.limits.widest_ipv4 : policy.limits.widest_ipv6;
        if (c.prefix_len == 0) {
            out.push_back("always_allow: " + c.str_with_len() + " lets every " +
                          (v4 ? "IPv4" : "IPv6") + " address reach the protected ports");
        } else if (c.prefix_len < widest) {
            out.push_back("always_allow: " + c.str_with_len() +
                          " is wider than the widest grant allowed (widest_source." +
                          (v4 ? "ipv4" : "ipv6") + ": " + std::to_string(widest) +
                          "); every entry is a permanent open door");
        }
    }
    if (policy.remote && policy.remote->packet_source) {
        out.push_back(
            "remote.packet_source: true lets a request ask for \"the address this packet came "
            "from\"; anyone who sees the packet can race it from their own address");
    }
    return out;
}

}  // namespace jitd::config
