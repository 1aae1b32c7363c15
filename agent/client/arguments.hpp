// Parsing of jit-request's own argument forms: PORT[/tcp|/udp], the SSH client address, and
// the time bounds of `audit` (a duration back from now or an ISO time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/wire/timefmt.hpp"
#include "config/parse_result.hpp"
#include "config/policy.hpp"

namespace jitd::client {

struct PortSpec {
    std::uint16_t port = 0;
    std::optional<config::Protocol> protocol;  // tcp or udp; none = the port's policy protocol
};

using PortSpecParse = config::ParseResult<PortSpec>;

// "22", "22/tcp", "53/udp". Ports 1..65535.
PortSpecParse parse_port_spec(std::string_view text);

// The error says why the address cannot be used.
using ClientAddressParse = config::ParseResult<std::string>;

// The SSH client's address from $SSH_CONNECTION ("CLIENT_ADDR CLIENT_PORT SERVER_ADDR
// SERVER_PORT"): the first word, if it is an IPv4 or IPv6 address. An IPv4-mapped IPv6
// address (::ffff:a.b.c.d) becomes IPv4, which is what the firewall sees. An address with a
// zone ("fe80::1%eth0") is refused: a grant cannot name the interface, and dropping the zone
// would open that address on every link.
ClientAddressParse ssh_client_address(std::string_view ssh_connection);

using TimeBoundParse = config::ParseResult<wire::SysSeconds>;

// "7d", "90m", "PT1H" (that long before `now`), "2026-11-23T14:03:00Z" or "2026-11-23"
// (midnight UTC).
TimeBoundParse parse_time_bound(std::string_view text, wire::SysSeconds now);

}  // namespace jitd::client
