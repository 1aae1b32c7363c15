#include "agent/client/arguments.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "config/cidr.hpp"
#include "config/duration.hpp"

namespace jitd::client {
namespace {

std::optional<unsigned> whole_number(std::string_view s) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || s.size() > 5 || ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return v;
}

// 'text', built by appending: GCC 12 at -O3 warns falsely (-Wrestrict, its bug 105329) about
// "literal" + std::string.
std::string quoted(std::string_view text) {
    std::string q = "'";
    q.append(text);
    q += '\'';
    return q;
}

}  // namespace

PortSpecParse parse_port_spec(std::string_view text) {
    PortSpecParse out;
    const auto slash = text.find('/');
    const std::string_view number = text.substr(0, slash);
    const auto port = whole_number(number);
    if (!port || *port == 0 || *port > 65535) {
        out.error = quoted(text) + " is not a port: use PORT, PORT/tcp or PORT/udp " +
                    "with PORT in 1..65535";
        return out;
    }
    out.value.port = static_cast<std::uint16_t>(*port);
    if (slash != std::string_view::npos) {
        const std::string_view proto = text.substr(slash + 1);
        const auto p = config::protocol_from_text(proto);
        if (p && *p != config::Protocol::any) {
            out.value.protocol = *p;
        } else {
            out.error = quoted(text) + ": protocol must be tcp or udp";
        }
    }
    return out;
}

ClientAddressParse ssh_client_address(std::string_view ssh_connection) {
    ClientAddressParse out;
    const auto begin = ssh_connection.find_first_not_of(" \t");
    if (begin == std::string_view::npos) {
        out.error = "SSH_CONNECTION holds no address";
        return out;
    }
    std::string_view word = ssh_connection.substr(begin);
    word = word.substr(0, word.find_first_of(" \t"));
    if (word.find('%') != std::string_view::npos) {
        out.error = "the SSH client address " + quoted(word) +
                    " is link-local with a zone; a grant cannot be limited to one interface";
        return out;
    }
    if (word.find('/') != std::string_view::npos) {
        out.error = quoted(word) + " is a network, not a client address";
        return out;
    }
    const auto parsed = config::parse_cidr(word);
    if (!parsed) {
        out.error = parsed.error;
        return out;
    }
    const config::Cidr& c = parsed.value;
    // ::ffff:0:0/96 carries an IPv4 peer of a dual-stack socket.
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (c.family == config::Cidr::Family::ipv6 &&
        std::equal(std::begin(kMapped), std::end(kMapped), c.bytes.begin())) {
        config::Cidr v4;
        v4.family = config::Cidr::Family::ipv4;
        std::copy(c.bytes.begin() + 12, c.bytes.end(), v4.bytes.begin());
        v4.prefix_len = 32;
        out.value = v4.str();
        return out;
    }
    out.value = c.str();
    return out;
}

TimeBoundParse parse_time_bound(std::string_view text, wire::SysSeconds now) {
    TimeBoundParse out;
    if (auto iso = wire::parse_iso8601(text)) {
        out.value = *iso;
        return out;
    }
    if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
        if (auto day = wire::parse_iso8601(std::string(text) + "T00:00:00Z")) {
            out.value = *day;
            return out;
        }
    }
    const auto d = config::parse_duration(text);
    if (!d) {
        out.error = quoted(text) +
                    " is neither a duration back from now (7d, 12h, PT30M) nor a UTC time "
                    "(2026-11-23T14:03:00Z or 2026-11-23)";
        return out;
    }
    out.value = now - d.value;
    return out;
}

}  // namespace jitd::client
