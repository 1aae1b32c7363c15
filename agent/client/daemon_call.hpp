// One request to the daemon as a command runs it: the ways talking to jitd can fail, and a
// refusal, turned into a message and an exit code (shared by every command that asks jitd).
#pragma once

#include <ostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "agent/client/daemon_connection.hpp"
#include "agent/client/display_text.hpp"
#include "agent/client/exit_codes.hpp"

namespace jitd::client {

// Runs `body` on a new connection and turns the ways talking to the daemon can fail into
// exit codes.
template <typename Body>
int guarded(const DaemonTarget& s, Io& io, Body&& body) {
    try {
        DaemonConnection conn(s.socket, s.timeout);
        return body(conn);
    } catch (const DaemonUnavailable& e) {
        io.err << "jit-request: " << e.what() << "\n";
    } catch (const nlohmann::json::exception& e) {
        io.err << "jit-request: jitd at " << s.socket << " gave a malformed answer (" << e.what()
               << ")\n";
    } catch (const std::invalid_argument& e) {
        io.err << "jit-request: jitd at " << s.socket << " gave a malformed answer (" << e.what()
               << ")\n";
    }
    return kExitUnavailable;
}

// Prints a refusal as one sentence with its code; returns the exit code for it.
inline int refused(const nlohmann::json& answer, Io& io) {
    const auto& err = answer.at("error");
    const auto code = err.at("code").get<std::string>();
    io.err << "jit-request: refused (" << printable(code)
           << "): " << printable(err.at("message").get<std::string>()) << "\n";
    return exit_code_for_error(code);
}

}  // namespace jitd::client
