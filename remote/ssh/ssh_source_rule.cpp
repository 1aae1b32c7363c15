// Source restriction lists, parsed with config::parse_cidr.
#include "remote/ssh/ssh_source_rule.hpp"

namespace jitd::remote::ssh {
namespace {

SourceRuleParse parse_list(std::string_view list, bool negation, const char* what) {
    SourceRuleParse out;
    if (list.empty()) {
        out.error = std::string(what) + " is empty";
        return out;
    }
    std::size_t start = 0;
    while (start <= list.size()) {
        auto comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string_view item = list.substr(start, comma - start);
        start = comma + 1;
        bool exclude = false;
        if (negation && !item.empty() && item[0] == '!') {
            exclude = true;
            item.remove_prefix(1);
        }
        if (item.find_first_of("*?") != std::string_view::npos) {
            out.error = std::string(what) + ": wildcard pattern '" +
                        std::string(item.substr(0, 64)) +
                        "' is not supported by jitd; write addresses or CIDRs";
            return out;
        }
        const auto cidr = config::parse_cidr(item);
        if (!cidr) {
            out.error = std::string(what) + ": " + cidr.error +
                        " (host names are not accepted: the check must not depend on DNS)";
            return out;
        }
        (exclude ? out.rule.deny : out.rule.allow).push_back(cidr.value);
        if (comma == list.size()) break;
    }
    if (out.rule.allow.empty()) out.error = std::string(what) + " allows no address";
    return out;
}

}  // namespace

bool SourceRule::admits(const config::Cidr& host) const {
    return admits_network(host);
}

bool SourceRule::admits_network(const config::Cidr& net) const {
    for (const auto& d : deny)
        if (d.overlaps(net)) return false;
    for (const auto& a : allow)
        if (a.contains(net)) return true;
    return false;
}

std::string SourceRule::str() const {
    std::string s;
    for (const auto& a : allow) s += (s.empty() ? "" : ",") + a.str();
    for (const auto& d : deny) s += (s.empty() ? "!" : ",!") + d.str();
    return s;
}

SourceRuleParse parse_from_patterns(std::string_view list) {
    return parse_list(list, true, "from=");
}

SourceRuleParse parse_source_address(std::string_view list) {
    return parse_list(list, false, "source-address");
}

}  // namespace jitd::remote::ssh
