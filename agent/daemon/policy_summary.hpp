// What start and reload entries say about the policy in force, so that a collector of many
// hosts' journals knows each host's configuration (`jit-request audit --by host`): the
// protected ports, their settings as one line of JSON, and the listening management ports no
// rule protects (recommended_ports.hpp).
#pragma once

#include <string>
#include <vector>

#include "agent/daemon/audit.hpp"
#include "agent/daemon/recommended_ports.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

// "22/tcp 3389/any", in the policy's order.
std::string protected_ports_text(const config::Policy& policy);

// {"require_reason":false,"ports":[{"port":22,"protocol":"tcp","max_duration":"1h",
//  "sources":"any" or ["10.0.0.0/8",...],"approval":false or {"required":1,"wait":"15m"}}]}
std::string port_policy_json(const config::Policy& policy);

// "2222/tcp 5900/tcp", as recommend() sorts them.
std::string recommended_text(const std::vector<Recommendation>& list);

// Sets JITD_PORTS, JITD_PORT_POLICY and JITD_RECOMMENDED (the last from this namespace's
// listening sockets) on a start or reload entry.
void note_policy(AuditEvent& ev, const config::Policy& policy);

}  // namespace jitd::agent
