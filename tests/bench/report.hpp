// Turns the phases' figures into the printed table, the PASS/MISS list of issue 7's targets
// and the JSON document (the same figures), and describes the machine.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace jitd::bench {

// nproc, CPU model, kernel, date (UTC), nft version.
nlohmann::json machine_info();

// Adds "targets": [{name, target, measured, pass}] to `doc` from its phase results; a target
// whose phase did not run or failed gets pass = null.
void evaluate_targets(nlohmann::json& doc);

void print_table(std::ostream& os, const nlohmann::json& doc);

}  // namespace jitd::bench
