#include "tests/integration/client/client_test_support.hpp"

#include <stdexcept>

namespace jitd::test {

const std::string& jit_request_binary() {
    static const std::string path = JIT_REQUEST_BINARY;
    return path;
}

RunResult jit_request(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    std::vector<std::string> argv{jit_request_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {}, env);
}

RunResult jit_request_as(const TestUser& u, const std::vector<std::string>& args,
                         const std::vector<std::string>& env) {
    std::vector<std::string> argv{jit_request_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return TestUsers::run_as(u, argv, {}, env);
}

nlohmann::json parse_csv(const std::string& csv) {
    // newline="" keeps CRLF and quoted line breaks for the csv module, as its docs require.
    static const char* kParser =
        "import csv, io, json, sys\n"
        "text = io.TextIOWrapper(sys.stdin.buffer, encoding='utf-8', newline='')\n"
        "json.dump(list(csv.DictReader(text, strict=True)), sys.stdout)\n";
    const RunResult r = run({"python3", "-c", kParser}, csv);
    if (r.exit_code != 0) throw std::runtime_error("python3 csv failed: " + r.err);
    return nlohmann::json::parse(r.out);
}

std::string describe(const RunResult& r) {
    return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" +
           r.err;
}

}  // namespace jitd::test
