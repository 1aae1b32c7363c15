// The policy schema: which keys exist, their types and bounds. Everything else is refused.
#include "config/policy_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "config/approval_loader.hpp"
#include "config/duration.hpp"
#include "config/printable.hpp"
#include "config/remote_loader.hpp"
#include "config/yaml_reader.hpp"

namespace jitd::config {
namespace {

using detail::Field;
using detail::Fields;
using detail::Reader;

// A policy is a few kilobytes; anything this large is the wrong file (or /dev/zero). The bound
// also bounds the time a reload spends in yaml-cpp (about 1 s per MiB and pass).
constexpr std::size_t kMaxFileSize = 256 << 10;
constexpr long long kMaxGrantsLimit = 100000;

Protocol read_protocol(const Reader& r, const Field& f) {
    if (const auto p = protocol_from_text(r.string(f))) return *p;
    r.fail(f, "protocol: expected tcp, udp or any, got " + detail::describe(f.value));
}

// The CIDRs of list `f`, refusing one written twice.
std::vector<Cidr> read_cidr_list(const Reader& r, const Field& f) {
    std::vector<Cidr> out;
    std::unordered_set<std::string> seen;  // a policy may be large: no quadratic scans
    for (const auto& item : r.sequence(f)) {
        const Cidr c = r.cidr(f, item);
        if (!seen.insert(c.str_with_len()).second) {
            r.fail_node(item, f.key.Mark(), f.name + ": " + c.str() + " is listed twice");
        }
        out.push_back(c);
    }
    return out;
}

// `any`, or a non-empty list of CIDRs without repeats.
void read_sources(const Reader& r, const Field& f, PortRule& rule) {
    if (f.value.IsScalar()) {
        if (f.value.Scalar() == "any") return;  // rule.any_source stays true
        r.fail(f, "allowed_sources: expected `any` or a list of CIDRs, got " +
                      detail::describe(f.value) + " (a single network is written [" +
                      detail::printable(f.value.Scalar()) + "])");
    }
    if (!f.value.IsSequence()) {
        r.fail(f, "allowed_sources: expected `any` or a list of CIDRs, got " +
                      detail::describe(f.value));
    }
    if (f.value.size() == 0) {
        r.fail(f,
               "allowed_sources: an empty list would allow no source; write `any` or list CIDRs");
    }
    rule.any_source = false;
    rule.allowed_sources = read_cidr_list(r, f);
}

// Where each accepted rule's `port` was written, for "first at line N".
struct Seen {
    PortRule rule;
    YAML::Mark mark;
};

// `earlier` holds the rules already read for this rule's port (at most two: tcp and udp).
void check_overlap(const Reader& r, const std::vector<Seen>& earlier, const PortRule& rule,
                   const YAML::Mark& at) {
    for (const auto& prev : earlier) {
        const bool clash = prev.rule.protocol == rule.protocol ||
                           prev.rule.protocol == Protocol::any || rule.protocol == Protocol::any;
        if (!clash) continue;
        const std::string line = std::to_string(detail::line_of(prev.mark));
        if (prev.rule.protocol == rule.protocol) {
            r.fail(at, "port: " + port_text(rule.port, rule.protocol) +
                           " is listed twice (first at line " + line + ")");
        }
        r.fail(at, "port: " + port_text(rule.port, rule.protocol) + " overlaps " +
                       port_text(prev.rule.port, prev.rule.protocol) + " at line " + line +
                       " (`any` covers both tcp and udp)");
    }
}

std::vector<PortRule> read_ports(const Reader& r, const Field& f) {
    if (f.value.IsNull() || (f.value.IsSequence() && f.value.size() == 0)) {
        r.fail(f,
               "ports: the list is empty, so nothing would be protected; list ports, or omit "
               "`ports` for the defaults (22, 3389, 5985, 5986)");
    }
    std::vector<PortRule> out;
    std::unordered_map<std::uint16_t, std::vector<Seen>> by_port;
    for (const auto& entry : r.sequence(f)) {
        const Fields e = r.mapping(entry, f.key.Mark(), "a ports entry",
                                   {"port", "protocol", "max_duration", "max_total_duration",
                                    "allowed_sources", "approval"});
        PortRule rule;
        const Field* port = e.get("port");
        if (port == nullptr) {
            r.fail_node(entry, f.key.Mark(), "ports entry: missing required key 'port'");
        }
        rule.port = static_cast<std::uint16_t>(r.integer(*port, 1, 65535));
        if (const Field* p = e.get("protocol")) rule.protocol = read_protocol(r, *p);
        if (const Field* d = e.get("max_duration")) {
            rule.max_duration = r.duration(*d);
            if (rule.max_duration > kMaxMaxDuration) {
                r.fail(*d, "max_duration: " + r.string(*d) + " exceeds the " +
                               format_duration(kMaxMaxDuration) + " limit");
            }
        }
        if (const Field* t = e.get("max_total_duration")) {
            rule.max_total_duration = r.duration(*t);
            if (*rule.max_total_duration < rule.max_duration) {
                r.fail(*t, "max_total_duration: " + r.string(*t) +
                               " is shorter than max_duration " +
                               format_duration(rule.max_duration));
            }
        }
        if (const Field* s = e.get("allowed_sources")) read_sources(r, *s, rule);
        if (const Field* a = e.get("approval")) rule.approval = detail::read_approval(r, *a);
        const YAML::Mark at = detail::mark_or(port->value, port->key.Mark());
        auto& earlier = by_port[rule.port];
        check_overlap(r, earlier, rule, at);
        earlier.push_back({rule, at});
        out.push_back(std::move(rule));
    }
    return out;
}

// Missing or empty means nobody but root: never "everyone".
Access read_access(const Reader& r, const Field& f) {
    Access access;
    if (f.value.IsNull()) return access;
    const Fields fields =
        r.mapping(f.value, f.key.Mark(), "access", {"admins", "requesters", "viewers"});
    if (const Field* a = fields.get("admins")) access.admins = detail::read_role(r, *a);
    if (const Field* q = fields.get("requesters")) access.requesters = detail::read_role(r, *q);
    if (const Field* v = fields.get("viewers")) access.viewers = detail::read_role(r, *v);
    return access;
}

std::vector<Cidr> read_always_allow(const Reader& r, const Field& f) {
    if (f.value.IsNull()) return {};
    return read_cidr_list(r, f);
}

Limits read_limits(const Reader& r, const Field& f) {
    Limits limits;
    if (f.value.IsNull()) return limits;
    const Fields fields = r.mapping(f.value, f.key.Mark(), "limits",
                                    {"max_grants_per_user", "widest_source", "allow_link_local"});
    if (const Field* m = fields.get("max_grants_per_user")) {
        limits.max_grants_per_user = static_cast<unsigned>(r.integer(*m, 1, kMaxGrantsLimit));
    }
    if (const Field* l = fields.get("allow_link_local")) limits.allow_link_local = r.boolean(*l);
    const Field* w = fields.get("widest_source");
    if (w == nullptr || w->value.IsNull()) return limits;
    const Fields widest = r.mapping(w->value, w->key.Mark(), "widest_source", {"ipv4", "ipv6"});
    if (const Field* v4 = widest.get("ipv4")) {
        limits.widest_ipv4 =
            static_cast<unsigned>(r.integer(named(*v4, "widest_source.ipv4"), 0, 32));
    }
    if (const Field* v6 = widest.get("ipv6")) {
        limits.widest_ipv6 =
            static_cast<unsigned>(r.integer(named(*v6, "widest_source.ipv6"), 0, 128));
    }
    return limits;
}

Policy read_policy(const Reader& r, const YAML::Node& root) {
    Policy policy;
    policy.origin = r.origin();
    policy.ports = default_ports();
    if (root.IsNull()) return policy;  // an empty file: default ports, only root
    const Fields top = r.mapping(root, YAML::Mark{}, "the policy",
                                 {"ports", "access", "always_allow", "require_reason",
                                  "revoke_kills_sessions", "limits", "remote"});
    if (const Field* f = top.get("ports")) policy.ports = read_ports(r, *f);
    if (const Field* f = top.get("access")) policy.access = read_access(r, *f);
    if (const Field* f = top.get("always_allow")) policy.always_allow = read_always_allow(r, *f);
    if (const Field* f = top.get("require_reason")) policy.require_reason = r.boolean(*f);
    if (const Field* f = top.get("revoke_kills_sessions"))
        policy.revoke_kills_sessions = r.boolean(*f);
    if (const Field* f = top.get("limits")) policy.limits = read_limits(r, *f);
    if (const Field* f = top.get("remote"))
        policy.remote = detail::read_remote(r, *f, policy.ports);
    return policy;
}

std::string location(const std::string& file, int line, int column) {
    if (line <= 0) return file;
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace

namespace detail {
namespace {

// Why `name` cannot be a user or group name (empty when it can). Peers are matched by name, so a
// uid or a typo with a space would silently never match.
std::string name_problem(const std::string& name) {
    if (std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return "it looks like a numeric id; list names";
    }
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= ' ' || u == 0x7f || c == ':' || c == ',' || c == '/') {
            return "it contains a space, control character, ':', ',' or '/'";
        }
    }
    return {};
}

// A list of user or group names, each non-empty, none twice.
std::vector<std::string> read_names(const Reader& r, const Field& f, const char* what) {
    std::vector<std::string> out;
    if (f.value.IsNull()) return out;
    std::unordered_map<std::string, YAML::Mark> first;  // name -> where it was first listed
    for (const auto& item : r.sequence(f)) {
        const YAML::Mark at = mark_or(item, f.key.Mark());
        if (!item.IsScalar() || item.Scalar().empty()) {
            r.fail(at, f.name + ": expected a " + what + " name, got " + describe(item));
        }
        const std::string& name = item.Scalar();
        if (const std::string why = name_problem(name); !why.empty()) {
            r.fail(at, f.name + ": '" + printable(name) + "' is not a " + what + " name: " + why);
        }
        if (const auto [it, fresh] = first.emplace(name, at); !fresh) {
            r.fail(at, f.name + ": " + what + " '" + printable(name) +
                           "' is listed twice (first at line " +
                           std::to_string(line_of(it->second)) + ")");
        }
        out.push_back(name);
    }
    return out;
}

}  // namespace

Role read_role(const Reader& r, const Field& f) {
    Role role;
    if (f.value.IsNull()) return role;  // `viewers:` with nothing: nobody
    const Fields fields = r.mapping(f.value, f.key.Mark(), f.name, {"users", "groups"});
    if (const Field* u = fields.get("users")) role.users = read_names(r, *u, "user");
    if (const Field* g = fields.get("groups")) role.groups = read_names(r, *g, "group");
    return role;
}

}  // namespace detail

PolicyError::PolicyError(std::string file, int line, int column, std::string message)
    : std::runtime_error(location(file, line, column) + ": " + message),
      file_(std::move(file)),
      line_(line),
      column_(column),
      message_(std::move(message)) {}

Policy parse_policy(std::string_view yaml_text, const std::string& origin) {
    const Reader reader(origin);
    return read_policy(reader, reader.load_document(yaml_text));
}

Policy load_policy_file(const std::string& path) {
    const std::unique_ptr<std::FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "rbe"),
                                                                  &std::fclose);
    if (!file) throw PolicyError(path, 0, 0, std::string("cannot read: ") + std::strerror(errno));
    std::string text;
    char buf[8192];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, file.get())) > 0) {
        text.append(buf, n);
        if (text.size() > kMaxFileSize) {
            throw PolicyError(
                path, 0, 0,
                "cannot read: larger than " + std::to_string(kMaxFileSize >> 10) + " KiB");
        }
    }
    if (std::ferror(file.get())) {
        throw PolicyError(path, 0, 0, std::string("cannot read: ") + std::strerror(errno));
    }
    return parse_policy(text, path);
}

}  // namespace jitd::config
