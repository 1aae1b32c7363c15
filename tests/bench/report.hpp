// Turns the phases' figures into the printed table, the PASS/MISS list of issue 7's targets
// and the JSON document (the same figures), and describes the machine.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace jitd::bench {

// nproc, CPU model, kernel, date (UTC), nft version, load average now ("loadavg_start").
nlohmann::json machine_info();
// The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.
std::string load_average();

// Adds "targets": [{name, target, measured, pass}] to `doc` from its phase results; a target
// whose phase did not run or failed gets pass = null.
void evaluate_targets(nlohmann::json& doc);

void print_table(std::ostream& os, const nlohmann::json& doc);

}  // namespace jitd::bench
