#include "agent/daemon/options.hpp"

#include <CLI/CLI.hpp>

namespace jitd::agent {

OptionsParse parse_options(int argc, const char* const* argv) {
    OptionsParse out;
    Options& o = out.options;
    CLI::App app{"jitd: just-in-time access to management ports, enforced by nftables", "jitd"};
    app.footer(
        "Signals: SIGHUP reloads the policy, SIGTERM/SIGINT stop (grants stay in the kernel).\n"
        "SPDLOG_LEVEL=debug logs one line per request.");
    app.set_version_flag("--version", JITD_VERSION);
    app.add_option("--policy", o.policy, "Policy file")->capture_default_str();
    app.add_option("--socket", o.socket, "Unix socket to listen on")->capture_default_str();
    app.add_option("--state-dir", o.state_dir,
                   "Where jitd keeps the last policy that loaded (for a lock-down at start)")
        ->capture_default_str();
    auto* check = app.add_flag("--check", o.check,
                               "Validate the policy, print the nftables ruleset and exit");
    auto* remove = app.add_flag("--remove-table", o.remove_table,
                                "Delete table inet jitd (all grants) and exit");
    check->excludes(remove);
    app.add_option("--idle-timeout", o.idle_timeout_s, "Seconds a client connection may stay idle")
        ->check(CLI::Range(1u, 86400u))
        ->capture_default_str();
    app.add_option("--max-connection-age", o.max_connection_age_s,
                   "Seconds after which a client connection is closed, busy or not")
        ->check(CLI::Range(1u, 86400u))
        ->capture_default_str();
    app.add_option("--max-connections-per-uid", o.max_connections_per_uid,
                   "Concurrent connections one user may hold")
        ->check(CLI::Range(1u, 65536u))
        ->capture_default_str();
    app.add_option("--max-connections", o.max_connections,
                   "Concurrent connections of all users together; the last eighth is kept for "
                   "root and admins")
        ->check(CLI::Range(2u, 1048576u))
        ->capture_default_str();
    // Only tests change it: they need the summary sooner than a minute.
    app.add_option("--remote-summary-interval", o.remote_summary_interval_s,
                   "Seconds between journal summaries of dropped remote datagrams (for tests; "
                   "keep the default in production)")
        ->check(CLI::Range(1u, 3600u))
        ->capture_default_str();
    app.add_option("--notify-timeout", o.notify_timeout_s,
                   "Seconds an approval.notify hook may run before it is killed (for tests; "
                   "keep the default in production)")
        ->check(CLI::Range(1u, 3600u))
        ->capture_default_str();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        out.exit_code = rc == 0 ? 0 : 64;  // EX_USAGE, as the client uses
    }
    return out;
}

}  // namespace jitd::agent
