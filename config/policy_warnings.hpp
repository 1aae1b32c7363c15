// What `jitd --check` points out without refusing: choices that are valid but very open.
#pragma once

#include <string>
#include <vector>

#include "config/policy.hpp"

namespace jitd::config {

// One sentence per always_allow entry wider than the widest_source limit of its family (a
// grant could not open that much) or covering a whole family (/0).
std::vector<std::string> policy_warnings(const Policy& policy);

}  // namespace jitd::config
