// The "Not configured / Recommended" list: sockets listening on a port that looks like remote
// management (a short table) while no policy rule protects it, each with the policy line that
// would. Pure: the listening sockets come from listening_ports.hpp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/policy.hpp"

namespace jitd::agent {

// One port of the table: its number, the protocol its service uses, and the name it has when
// /etc/services does not name it.
struct ManagementPort {
    std::uint16_t port = 0;
    config::Protocol protocol = config::Protocol::tcp;  // tcp, udp or any
    std::string_view name;
};

// The table: ssh (22, 2222), telnet, rdp, xrdp-sesman, vnc 5900-5903, winrm, cockpit and the
// admin ports of common databases.
const std::vector<ManagementPort>& management_ports();

// A socket listening for anyone but the host itself (not bound to a loopback address).
struct ListeningPort {
    std::uint16_t port = 0;
    config::Protocol protocol = config::Protocol::tcp;  // tcp or udp
};

struct Recommendation {
    std::uint16_t port = 0;
    config::Protocol protocol = config::Protocol::tcp;  // tcp or udp, as it listens
    std::string service;                                // "vnc", "ms-wbt-server"
    std::string policy_line;  // "- {port: 5900, protocol: tcp, max_duration: 1h}"
};

// The policy line that protects `port`/`protocol` with a 1h max_duration.
std::string suggested_policy_line(std::uint16_t port, config::Protocol protocol);

// The sockets of `listening` on a table port with its protocol that no rule of `policy`
// covers, once per port and protocol, sorted by port then protocol. `service_name` names a
// port/protocol from /etc/services ("" when it does not).
std::vector<Recommendation> recommend(
    const std::vector<ListeningPort>& listening, const config::Policy& policy,
    const std::function<std::string(std::uint16_t, config::Protocol)>& service_name);

// "5900/tcp (vnc) listens but is not protected; add to ports:  - {...}" lines, one per entry.
std::string recommendations_text(const std::vector<Recommendation>& list);

// status's `recommended` array: {"port","protocol","service","policy"} objects.
nlohmann::json recommendations_json(const std::vector<Recommendation>& list);

}  // namespace jitd::agent
