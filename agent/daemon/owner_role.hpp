// The role a grant's owner has under a policy, for revocations on reload: judged by the groups
// the kernel gave the owner's open connections at accept, or, with none open, by NSS.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "agent/daemon/authz.hpp"
#include "agent/daemon/peer.hpp"
#include "config/policy.hpp"

namespace jitd::agent {

// The highest role of `live` peers with this uid; with none, that of the user as NSS lists
// them (getgrouplist), found by uid or, when the uid is unknown (-1), by name.
Role owner_role(const config::Access& access, uid_t uid, const std::string& user,
                const std::vector<Peer>& live);

}  // namespace jitd::agent
