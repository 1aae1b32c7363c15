// Shared ground of jit-request's integration tests: running the built binary (as root or as a
// test user) and parsing its CSV with a real CSV parser (python3's csv module).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"
#include "tests/support/users.hpp"

namespace jitd::test {

// The built jit-request (compile definition JIT_REQUEST_BINARY).
const std::string& jit_request_binary();

// Runs jit-request with `args` as the test process (root).
RunResult jit_request(const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {});
// Runs jit-request with `args` as `u`.
RunResult jit_request_as(const TestUser& u, const std::vector<std::string>& args,
                         const std::vector<std::string>& env = {});

// Parses RFC 4180 text with python3's csv.DictReader (spawned without a shell); an array of
// objects keyed by the header row. Throws std::runtime_error when python3 fails.
nlohmann::json parse_csv(const std::string& csv);

// Text for failure messages.
std::string describe(const RunResult& r);

}  // namespace jitd::test
