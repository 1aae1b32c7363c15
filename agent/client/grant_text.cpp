#include "agent/client/grant_text.hpp"

#include "agent/client/recommended_text.hpp"
#include "agent/client/text_table.hpp"
#include "agent/client/time_text.hpp"
#include "config/cidr.hpp"

namespace jitd::client {

std::string port_text(const wire::Grant& g) {
    return config::port_text(g.port, g.protocol);
}

std::string source_text(const std::string& source) {
    const auto c = config::parse_cidr(source);
    return c ? c.value.str() : source;
}

std::string grants_table(const std::vector<wire::Grant>& grants, wire::SysSeconds now) {
    TextTable t({"ID", "USER", "PORT", "SOURCE", "ENDS", "REASON"});
    for (const auto& g : grants) {
        t.add_row({g.id, printable(g.user), port_text(g), source_text(g.source),
                   ends_in_text(g.end, now), printable(g.reason)});
    }
    return t.render();
}

namespace {

// A JSON array of strings as "a, b, c" ("" when empty).
std::string joined(const nlohmann::json& items) {
    std::string out;
    for (const auto& c : items) out += (out.empty() ? "" : ", ") + c.get<std::string>();
    return out;
}

std::string ports_table(const nlohmann::json& ports) {
    TextTable t({"PORT", "PROTOCOL", "MAX DURATION", "ALLOWED SOURCES", "ACTIVE GRANTS"});
    for (const auto& p : ports) {
        const auto& allowed = p.at("allowed_sources");
        const std::string sources =
            allowed.is_string() ? allowed.get<std::string>() : joined(allowed);
        t.add_row({std::to_string(p.at("port").get<unsigned>()),
                   p.at("protocol").get<std::string>(), p.at("max_duration").get<std::string>(),
                   sources, std::to_string(p.at("active_grants").get<long long>())});
    }
    return t.render();
}

// The remote channel's line, when it is enabled ("" when not).
std::string remote_line(const nlohmann::json& remote) {
    if (!remote.value("enabled", false)) return "";
    std::string out = "remote requests: udp port " + std::to_string(remote.value("port", 0)) +
                      ", " + std::to_string(remote.value("keys", 0)) + " keys; " +
                      std::to_string(remote.value("granted", 0ULL)) + " granted, " +
                      std::to_string(remote.value("refused", 0ULL)) + " refused, " +
                      std::to_string(remote.value("dropped", 0ULL)) + " dropped unauthenticated";
    std::string causes;
    const auto counters = remote.value("counters", nlohmann::json::object());
    for (const auto& [cause, n] : counters.items())
        if (n.is_number_unsigned())
            causes += (causes.empty() ? "" : ", ") + printable(cause) + " " +
                      std::to_string(n.get<unsigned long long>());
    out += causes.empty() ? "\n" : " (" + causes + ")\n";
    return out;
}

}  // namespace

std::string status_text(const nlohmann::json& st) {
    std::string out = "jitd " + st.at("version").get<std::string>() + ", policy " +
                      st.at("policy").get<std::string>();
    if (auto since = wire::parse_iso8601(st.value("since", "")))
        out += ", running since " + table_time(*since) + " UTC";
    const auto grants = st.at("grants").get<long long>();
    out += "\nyou are " + printable(st.at("user").get<std::string>()) + " (" +
           st.at("role").get<std::string>() + "); " + std::to_string(grants) +
           (grants == 1 ? " grant" : " grants") + " active; a reason is " +
           (st.value("require_reason", false) ? "required" : "optional") + "\n";
    out += ports_table(st.at("ports"));
    for (const auto& p : st.at("ports"))
        if (const auto a = p.find("approval"); a != p.end() && a->is_object())
            out += "port " + std::to_string(p.at("port").get<unsigned>()) + " needs " +
                   std::to_string(a->value("required", 1U)) + " approval(s), waiting " +
                   printable(a->value("wait", "")) +
                   (a->value("admins_bypass", false) ? " (not for admins)" : "") + "\n";
    if (const auto n = st.value("pending", 0LL); n > 0)
        out += std::to_string(n) + " pending requests (jit-request pending)\n";
    const std::string always = joined(st.value("always_allow", nlohmann::json::array()));
    out += "always allowed: " + (always.empty() ? std::string("none") : always) + "\n";
    // Older daemons do not send the field.
    const auto drops = st.value("other_input_drop_chains", nlohmann::json::array());
    for (const auto& c : drops)
        if (c.is_string())
            out += "note: chain " + printable(c.get<std::string>()) +
                   " of another table drops by policy on the input hook; a grant cannot "
                   "override it\n";
    out += remote_line(st.value("remote", nlohmann::json::object()));
    out += recommended_text(st);
    if (const auto lost = st.value("audit_dropped", 0LL); lost > 0)
        out += "warning: " + std::to_string(lost) +
               (lost == 1 ? " journal record" : " journal records") +
               " could not be written since jitd started (journald stopped or not keeping up)\n";
    return out;
}

}  // namespace jitd::client
