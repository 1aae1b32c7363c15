// The remote benchmark's side-by-side table, printed from its JSON document.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace jitd::bench::remote {

void print_remote_table(std::ostream& out, const nlohmann::json& doc);

}  // namespace jitd::bench::remote
