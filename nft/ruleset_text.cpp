// render_ruleset: the table in `nft -f` syntax. It is what install() builds over netlink; the
// integration tests check that `nft` accepts it and lists both the same way.
#include <string>
#include <utility>

#include "nft/layout.hpp"
#include "nft/model.hpp"

namespace jitd::nft {
namespace {

std::string type_text(const layout::SetDef& def) {
    std::string out;
    for (const auto& f : def.fields) {
        if (!out.empty()) out += " . ";
        out += f.name;
    }
    return out;
}

std::string flags_text(const layout::SetDef& def) {
    std::string out;
    for (const auto& [on, name] :
         {std::pair{def.dynamic, "dynamic"}, std::pair{def.interval, "interval"},
          std::pair{def.timeout, "timeout"}})
        if (on) out += (out.empty() ? "" : ",") + std::string(name);
    return out;
}

// `timeout 10s` as nft prints a whole number of seconds (the layout's timeouts are).
std::string timeout_text(std::uint64_t ms) {
    return std::to_string(ms / 1000) + "s";
}

// The policy-given elements of a set, "" when it has none.
std::string elements_text(const layout::SetDef& def, const TableSpec& spec) {
    std::string out;
    auto add = [&out](const std::string& e) { out += (out.empty() ? "" : ", ") + e; };
    if (def.role == layout::SetRole::protected_ports) {
        for (const auto& pp : spec.protected_ports)
            add(std::string(layout::proto_name(pp.proto)) + " . " + std::to_string(pp.port));
    } else if (def.role == layout::SetRole::allow) {
        for (const auto& p : spec.always_allow)
            if (layout::allow_set_for(p.family) == def.name) add(p.str());
    }
    return out;
}

void append_set(std::string& out, const layout::SetDef& def, const TableSpec& spec) {
    out += "\tset " + std::string(def.name) + " {\n";
    out += "\t\ttype " + type_text(def) + "\n";
    if (def.size != 0) out += "\t\tsize " + std::to_string(def.size) + "\n";
    if (auto flags = flags_text(def); !flags.empty()) out += "\t\tflags " + flags + "\n";
    if (def.default_timeout_ms != 0)
        out += "\t\ttimeout " + timeout_text(def.default_timeout_ms) + "\n";
    if (auto elems = elements_text(def, spec); !elems.empty())
        out += "\t\telements = { " + elems + " }\n";
    out += "\t}\n";
}

}  // namespace

std::string render_ruleset(const TableSpec& raw) {
    const TableSpec spec = layout::normalized(raw);
    std::string out = "table inet " + std::string(kTableName) + " {\n";
    for (const auto& def : layout::sets())
        if (layout::wanted(def, spec)) append_set(out, def, spec);
    out += "\tchain " + std::string(layout::kChain) + " {\n";
    out += "\t\ttype filter hook input priority filter; policy accept;\n";
    if (spec.remote_port) {  // see rules.cpp: remote_rules
        const std::string dport = "udp dport " + std::to_string(*spec.remote_port);
        const std::string over = " limit rate over " + std::to_string(kRemoteSourceRate) +
                                 "/second burst " + std::to_string(kRemoteSourceBurst) +
                                 " packets } counter drop\n";
        out +=
            "\t\t" + dport + " update @" + std::string(layout::kRemoteRate4) + " { ip saddr" + over;
        out += "\t\t" + dport + " update @" + std::string(layout::kRemoteRate6) +
               " { ip6 saddr & ffff:ffff:ffff:ffff::" + over;
        out += "\t\t" + dport + " limit rate " + std::to_string(kRemoteRatePerSecond) +
               "/second burst " + std::to_string(kRemoteBurst) + " packets log group " +
               std::to_string(kRemoteNflogGroup) + " snaplen " + std::to_string(kRemoteSnaplen) +
               " queue-threshold 1\n";
        out += "\t\t" + dport + " drop\n";
    }
    for (const char* line : {
             "iif \"lo\" accept",
             "ct state established,related accept",
             "meta l4proto . th dport != @protected accept",
             "ip saddr @allow4 accept",
             "ip6 saddr @allow6 accept",
             "ip saddr . meta l4proto . th dport @grant4_host accept",
             "ip saddr . meta l4proto . th dport @grant4_net accept",
             "ip6 saddr . meta l4proto . th dport @grant6_host accept",
             "ip6 saddr . meta l4proto . th dport @grant6_net accept",
             // see rules.cpp; NOLINTNEXTLINE(bugprone-suspicious-missing-comma): one rule, wrapped
             "ct state new tcp flags ack / fin,syn,rst,ack ip saddr . tcp sport . ip daddr . "
             "tcp dport @pickup4 accept",
             "ct state new tcp flags ack / fin,syn,rst,ack ip6 saddr . tcp sport . ip6 daddr . "
             "tcp dport @pickup6 accept",
             "counter drop",
         })
        out += "\t\t" + std::string(line) + "\n";
    out += "\t}\n}\n";
    return out;
}

}  // namespace jitd::nft
