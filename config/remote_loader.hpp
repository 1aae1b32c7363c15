// Internal to the loader: the `remote:` section (config/remote_loader.cpp).
#pragma once

#include "config/policy.hpp"
#include "config/yaml_reader.hpp"

namespace jitd::config::detail {

// `f` is the `remote` key; an empty value means every default. `ports` are the rules already
// read: the remote UDP port may not also be a protected UDP port.
Remote read_remote(const Reader& r, const Field& f, const std::vector<PortRule>& ports);

}  // namespace jitd::config::detail
