// The `remote:` section of the policy: strict like the rest of the loader.
#include "config/remote_loader.hpp"

#include <algorithm>
#include <unordered_map>

#include "config/duration.hpp"
#include "config/printable.hpp"

namespace jitd::config::detail {
namespace {

// The replay cache keeps every request for max_age: a bound keeps it small.
constexpr std::chrono::seconds kMaxMaxAge{3600};

std::string read_path(const Reader& r, const Field& f) {
    std::string text = r.string(f);
    if (text.empty() || text.front() != '/') {
        r.fail(f, f.name + ": expected an absolute path, got " + describe(f.value));
    }
    for (const char c : text) {
        if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) {
            r.fail(f, f.name + ": the path contains a control character");
        }
    }
    return text;
}

std::vector<std::string> read_host_names(const Reader& r, const Field& f) {
    std::vector<std::string> out;
    if (f.value.IsNull()) return out;
    std::unordered_map<std::string, YAML::Mark> first;
    for (const auto& item : r.sequence(f)) {
        const YAML::Mark at = mark_or(item, f.key.Mark());
        if (!item.IsScalar() || item.Scalar().empty()) {
            r.fail(at, f.name + ": expected a host name, got " + describe(item));
        }
        const std::string& name = item.Scalar();
        for (const char c : name) {
            const auto u = static_cast<unsigned char>(c);
            if (u <= ' ' || u >= 0x7f) {
                r.fail(at, f.name + ": '" + printable(name) +
                               "' is not a host name: it contains a space or control character");
            }
        }
        if (const auto [it, fresh] = first.emplace(name, at); !fresh) {
            r.fail(at, f.name + ": '" + printable(name) + "' is listed twice (first at line " +
                           std::to_string(line_of(it->second)) + ")");
        }
        out.push_back(name);
    }
    return out;
}

std::chrono::seconds bounded_duration(const Reader& r, const Field& f, std::chrono::seconds max) {
    const auto d = r.duration(f);
    if (d > max) {
        r.fail(f, f.name + ": " + r.string(f) + " exceeds the " + format_duration(max) + " limit");
    }
    return d;
}

// The remote port is UDP: a protected UDP port of the same number would swallow its packets.
bool clashes_with_ports(std::uint16_t port, const std::vector<PortRule>& ports) {
    return std::any_of(ports.begin(), ports.end(), [port](const PortRule& rule) {
        return rule.port == port && rule.covers(Protocol::udp);
    });
}

std::uint16_t read_port(const Reader& r, const Field& f, const std::vector<PortRule>& ports) {
    const auto port = static_cast<std::uint16_t>(r.integer(f, 1, 65535));
    if (clashes_with_ports(port, ports)) {
        r.fail(f, "remote.port: " + std::to_string(port) +
                      "/udp is also a protected port in `ports`; remote requests "
                      "need a UDP port of their own");
    }
    return port;
}

}  // namespace

Remote read_remote(const Reader& r, const Field& f, const std::vector<PortRule>& ports) {
    Remote remote;
    if (!f.value.IsNull()) {
        const Fields fields = r.mapping(f.value, f.key.Mark(), "remote",
                                        {"port", "max_age", "default_duration", "packet_source",
                                         "user_ca", "keys", "host_names"});
        if (const Field* p = fields.get("port"))
            remote.port = read_port(r, named(*p, "remote.port"), ports);
        if (const Field* a = fields.get("max_age"))
            remote.max_age = bounded_duration(r, named(*a, "remote.max_age"), kMaxMaxAge);
        if (const Field* d = fields.get("default_duration"))
            remote.default_duration =
                bounded_duration(r, named(*d, "remote.default_duration"), kMaxMaxDuration);
        if (const Field* s = fields.get("packet_source"))
            remote.packet_source = r.boolean(named(*s, "remote.packet_source"));
        if (const Field* c = fields.get("user_ca"))
            remote.user_ca = read_path(r, named(*c, "remote.user_ca"));
        if (const Field* k = fields.get("keys"))
            remote.keys = read_path(r, named(*k, "remote.keys"));
        if (const Field* h = fields.get("host_names"))
            remote.host_names = read_host_names(r, named(*h, "remote.host_names"));
        return remote;
    }
    // `remote:` alone: every default, but the default port may still clash.
    if (clashes_with_ports(remote.port, ports)) {
        r.fail(f, "remote: the default port " + std::to_string(remote.port) +
                      "/udp is also a protected port in `ports`; set remote.port");
    }
    return remote;
}

}  // namespace jitd::config::detail
