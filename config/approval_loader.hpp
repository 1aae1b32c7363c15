// Internal to the loader: a port's `approval:` section (config/approval_loader.cpp), and the
// user/group lists it shares with `access:`.
#pragma once

#include "config/policy.hpp"
#include "config/yaml_reader.hpp"

namespace jitd::config::detail {

// `{users: [...], groups: [...]}`: names only, none twice (policy_loader.cpp).
Role read_role(const Reader& r, const Field& f);

// `f` is a ports entry's `approval` key. Refused: approvers naming nobody, `required` more
// than the users listed when only users are, `wait` zero or over 24h, a `notify` that is not
// an absolute path with arguments, unknown keys.
Approval read_approval(const Reader& r, const Field& f);

}  // namespace jitd::config::detail
