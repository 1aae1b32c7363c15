// Invariants of the config parsers, checked on arbitrary input.
#include "tests/fuzz/config_checks.hpp"

#include <exception>
#include <string>
#include <vector>

#include "config/duration.hpp"
#include "config/policy_loader.hpp"

namespace jitd::fuzz {
namespace {

using config::Cidr;
using config::Policy;
using config::PortRule;
using config::Protocol;

std::string check_cidr_round_trip(const Cidr& c) {
    const auto again = config::parse_cidr(c.str());
    if (!again || again.value != c) return "cidr " + c.str_with_len() + " does not parse back";
    const auto with_len = config::parse_cidr(c.str_with_len());
    if (!with_len || with_len.value != c) return "cidr " + c.str_with_len() + " (with length)";
    if (!c.contains(c) || !c.overlaps(c)) return "cidr " + c.str() + " does not contain itself";
    return {};
}

std::string check_rule(const PortRule& r) {
    if (r.port == 0) return "port 0 accepted";
    if (r.max_duration <= std::chrono::seconds{0} || r.max_duration > config::kMaxMaxDuration) {
        return "max_duration out of bounds accepted";
    }
    if (r.any_source != r.allowed_sources.empty()) return "any_source disagrees with the list";
    for (const auto& c : r.allowed_sources) {
        if (auto e = check_cidr_round_trip(c); !e.empty()) return e;
    }
    return {};
}

// Each rule sound, no two overlapping, and find() returning the rule that covers a protocol.
std::string check_ports(const Policy& p) {
    for (std::size_t i = 0; i < p.ports.size(); ++i) {
        if (auto e = check_rule(p.ports[i]); !e.empty()) return e;
        for (std::size_t j = 0; j < i; ++j) {
            const auto& a = p.ports[i];
            const auto& b = p.ports[j];
            if (a.port == b.port && (a.protocol == b.protocol || a.protocol == Protocol::any ||
                                     b.protocol == Protocol::any)) {
                return "overlapping entries for port " + std::to_string(a.port);
            }
        }
        for (Protocol proto : {Protocol::tcp, Protocol::udp}) {
            const PortRule* found = p.find(p.ports[i].port, proto);
            if (p.ports[i].covers(proto) && found != &p.ports[i]) return "find() disagrees";
        }
    }
    return {};
}

// No empty name and none twice in one list of a role.
std::string check_names(const std::vector<std::string>& names) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i].empty()) return "empty name accepted";
        for (std::size_t j = 0; j < i; ++j) {
            if (names[i] == names[j]) return "name listed twice accepted";
        }
    }
    return {};
}

std::string check_policy(const Policy& p) {
    if (p.ports.empty()) return "a policy without ports was accepted";
    if (auto e = check_ports(p); !e.empty()) return e;
    for (const auto* role : {&p.access.admins, &p.access.requesters, &p.access.viewers}) {
        for (const auto* names : {&role->users, &role->groups}) {
            if (auto e = check_names(*names); !e.empty()) return e;
        }
    }
    for (const auto& c : p.always_allow) {
        if (auto e = check_cidr_round_trip(c); !e.empty()) return e;
    }
    const auto& l = p.limits;
    if (l.max_grants_per_user < 1 || l.max_grants_per_user > 100000 || l.widest_ipv4 > 32 ||
        l.widest_ipv6 > 128) {
        return "limits out of range accepted";
    }
    return {};
}

}  // namespace

std::string check_policy_input(std::string_view input) {
    static const std::string origin = "fuzz.yaml";
    try {
        const Policy p = config::parse_policy(input, origin);
        if (p.origin != origin) return "origin not kept";
        return check_policy(p);
    } catch (const config::PolicyError& e) {
        if (e.line() < 1 || e.column() < 1)
            return std::string("error without a location: ") + e.what();
        if (e.message().empty()) return "error without a message";
        const std::string prefix =
            origin + ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": ";
        if (std::string(e.what()) != prefix + e.message()) return "what() is not FILE:LINE:COL";
        return {};
    } catch (const std::exception& e) {
        return std::string("unexpected exception: ") + e.what();
    }
}

std::string check_scalar_input(std::string_view input) {
    const auto d = config::parse_duration(input);
    if (d) {
        if (d.value <= std::chrono::seconds{0}) return "non-positive duration accepted";
        const std::string text = config::format_duration(d.value);
        const auto again = config::parse_duration(text);
        if (!again || again.value != d.value) return "duration " + text + " does not parse back";
    } else if (d.error.empty() == true || d.value.count() != 0) {
        return "refused duration without an error";
    }
    const auto c = config::parse_cidr(input);
    if (c && input.find_first_not_of("0123456789abcdefABCDEF.:/") != std::string_view::npos)
        return "cidr accepted with a byte outside the address alphabet (a NUL?)";
    if (c) return check_cidr_round_trip(c.value);
    if (c.error.empty()) return "refused cidr without an error";
    return {};
}

}  // namespace jitd::fuzz
