// A copy of the last policy that loaded, kept in the state directory (/var/lib/jitd): what
// jitd locks the host down with when, at a later start, the policy no longer loads.
#pragma once

#include <optional>
#include <string>

#include "config/policy.hpp"

namespace jitd::agent {

inline constexpr const char* kLastGoodPolicyName = "last-good-policy.yaml";

std::string last_good_policy_path(const std::string& state_dir);

// Copies the file at `policy_path` to the state directory (made 0700 if missing) through a
// temporary file and a rename, so a crash leaves the old copy or the new, never half a file.
// The text is parsed first: a file edited into nonsense since it loaded is not copied.
// Returns "" on success, otherwise what went wrong (the caller warns; nothing else fails).
std::string save_last_good_policy(const std::string& state_dir, const std::string& policy_path);

// The saved copy, or nullopt when there is none or it does not load (`why` says which).
std::optional<config::Policy> load_last_good_policy(const std::string& state_dir, std::string& why);

}  // namespace jitd::agent
