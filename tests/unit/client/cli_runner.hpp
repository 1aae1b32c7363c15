// Runs jit-request's command line in-process, with a given environment, and captures what it
// printed and its exit code. Shared by the client's unit tests.
#pragma once

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "agent/client/cli.hpp"

namespace jitd::client::testing {

struct Outcome {
    int code;
    std::string out, err;
};

inline Outcome cli(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    std::ostringstream out, err;
    Io io{out, err, [&env](const char* name) -> std::optional<std::string> {
              auto it = env.find(name);
              return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
          }};
    args.insert(args.begin(), "jit-request");
    std::vector<const char*> argv;
    argv.reserve(args.size());
    for (const auto& a : args) argv.push_back(a.c_str());
    const int code = run_cli(static_cast<int>(argv.size()), argv.data(), io);
    return {code, out.str(), err.str()};
}

}  // namespace jitd::client::testing
