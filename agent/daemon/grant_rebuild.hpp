// Rebuilding the live grants from the kernel's elements at start (the kernel is the truth).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/daemon/live_grant.hpp"

namespace jitd::agent {

// Grants read back from the kernel's elements.
struct Rebuilt {
    std::vector<LiveGrant> grants;
    std::vector<nft::ListedElement> strays;  // elements without a comment we can rebuild from
    std::vector<nft::ListedElement> spent;   // grants whose time is already up
    std::size_t legacy = 0;                  // elements in the previous release's format
};

// How a rebuild resolves owners: the uid of a user name of the previous release's comments
// (nullopt: unknown, the element is a stray), and the name shown for a uid.
struct OwnerLookup {
    std::function<std::optional<uid_t>(const std::string&)> uid_of_name;
    std::function<std::string(uid_t)> name_of_uid;
};

// Groups elements by the id in their comment; a tcp and a udp element of one id with the same
// source and port are one `any` grant. `now_ms` is the wall clock at listing time; each end is
// the kernel's expiry rounded to the grant's whole-second timeline. A reason the comment kept
// cut ends in kCutMark (comment_reason.hpp).
Rebuilt rebuild_grants(const std::vector<nft::ListedElement>& elements,
                       std::chrono::sys_time<std::chrono::milliseconds> now_ms,
                       const OwnerLookup& owners);

}  // namespace jitd::agent
