#include "agent/client/cli.hpp"

#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include <CLI/CLI.hpp>

#include "agent/client/approval_commands.hpp"
#include "agent/client/arguments.hpp"
#include "agent/client/audit_command.hpp"
#include "agent/client/daemon_commands.hpp"
#include "agent/client/exit_codes.hpp"
#include "agent/client/keys_command.hpp"
#include "agent/client/remote_open_cli.hpp"
#include "agent/client/until_time.hpp"
#include "config/cidr.hpp"
#include "config/duration.hpp"

namespace jitd::client {

std::optional<std::string> process_getenv(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
}

namespace {

constexpr const char* kFooter =
    "Exit status: 0 done, 1 refused by the policy, 64 usage error, 69 jitd unavailable,\n"
    "70 internal error, 77 not authorized. Environment: JITD_SOCKET selects the socket;\n"
    "SSH_CONNECTION gives the default --from. Durations: 90s, 15m, 1h30m, 2d, or ISO 8601 (PT1H).";

struct Parsed {
    std::string socket;
    double timeout_s = 10;
    // open
    std::string port_spec, for_text, open_until, from, reason;
    // extend, revoke
    std::string id, extend_for;
    bool kill = false;  // revoke --kill
    // list, status
    bool json = false;
    // audit
    AuditOptions audit;
    std::string until, user, format = "table", host, by, directory;
    std::vector<std::string> files;
    int audit_port = 0;
};

int usage(Io& io, const std::string& message) {
    io.err << "jit-request: " << message << "\n";
    return kExitUsage;
}

// --from, else the SSH client's address; "" (after printing why) when there is none.
std::string resolve_source(const std::string& from, bool given, Io& io) {
    if (given) {
        const auto c = config::parse_cidr(from);
        if (!c) {
            usage(io, "--from: " + c.error);
            return {};
        }
        return c.value.str();
    }
    const auto ssh = io.getenv("SSH_CONNECTION");
    if (!ssh || ssh->empty()) {
        usage(io,
              "no source address: outside an SSH session, say where you will connect from "
              "with --from ADDR or --from CIDR (e.g. --from 203.0.113.7)");
        return {};
    }
    const auto addr = ssh_client_address(*ssh);
    if (addr) return addr.value;
    usage(io, "cannot use the client address from SSH_CONNECTION ('" + *ssh + "'): " + addr.error +
                  "; give it with --from ADDR or --from CIDR");
    return {};
}

// The parsed command line: which subcommand, and which options were given.
struct Commands {
    CLI::Option* socket = nullptr;
    CLI::App* open = nullptr;
    CLI::Option* open_for = nullptr;
    CLI::Option* open_until = nullptr;
    CLI::Option* open_from = nullptr;
    CLI::App* list = nullptr;
    CLI::App* revoke = nullptr;
    CLI::App* extend = nullptr;
    CLI::App* status = nullptr;
    CLI::App* pending = nullptr;
    CLI::App* approve = nullptr;
    CLI::App* reject = nullptr;
    CLI::App* cancel = nullptr;
    CLI::App* audit = nullptr;
    CLI::Option* until = nullptr;
    CLI::Option* user = nullptr;
    CLI::Option* port = nullptr;
    CLI::Option* host = nullptr;
    CLI::Option* directory = nullptr;
    CLI::Option* files = nullptr;
    std::unique_ptr<RemoteOpenFlags> remote;  // open --host (signed remote requests)
};

void add_daemon_commands(CLI::App& app, Parsed& p, Commands& c) {
    c.open = app.add_subcommand("open", "open PORT to your address for a while");
    c.open
        ->add_option("PORT", p.port_spec, "port, optionally with its protocol: 22, 22/tcp, 53/udp")
        ->required();
    c.open_for = c.open->add_option(
        "--for", p.for_text, "how long, e.g. 1h, 30m, PT2H (default: the port's max_duration)");
    c.open_until = c.open->add_option(
        "--until", p.open_until,
        "end at TIME instead: 17:00 (local, next occurrence), 2026-12-02T17:00Z or "
        "...+01:00, +90m (from now)");
    c.open_from = c.open->add_option(
        "--from", p.from,
        "address or network (CIDR) to admit (default: your SSH client's address)");
    c.open->add_option("--reason", p.reason, "why, for the audit trail (at most 256 characters)");
    c.remote = std::make_unique<RemoteOpenFlags>(*c.open);

    c.list = app.add_subcommand("list", "list active grants");
    c.list->add_flag("--json", p.json, "print a JSON array of grant objects");

    c.revoke = app.add_subcommand("revoke", "close a grant before its end");
    c.revoke->add_option("ID", p.id, "grant id, as `list` shows it (g-...)")->required();
    c.revoke->add_flag("--kill", p.kill,
                       "also end the sessions the grant let in (reset them, forget their "
                       "conntrack entries)");

    c.extend = app.add_subcommand("extend", "make a grant end a given time from now");
    c.extend->add_option("ID", p.id, "grant id, as `list` shows it (g-...)")->required();
    c.extend->add_option("--for", p.extend_for, "new remaining time, e.g. 30m")->required();

    c.status = app.add_subcommand("status", "show the daemon, the policy and your role");
    c.status->add_flag("--json", p.json, "print the status as JSON");

    c.pending = app.add_subcommand("pending", "list requests waiting for approval");
    c.pending->add_flag("--json", p.json, "print a JSON array of pending requests");
    c.approve = app.add_subcommand("approve", "approve another person's pending request");
    c.approve->add_option("ID", p.id, "request id, as `pending` shows it (r-...)")->required();
    c.approve->add_option("--reason", p.reason, "your note for the audit trail");
    c.reject = app.add_subcommand("reject", "reject a pending request");
    c.reject->add_option("ID", p.id, "request id, as `pending` shows it (r-...)")->required();
    c.reject->add_option("--reason", p.reason, "your note for the audit trail");
    c.cancel = app.add_subcommand("cancel", "withdraw your own pending request");
    c.cancel->add_option("ID", p.id, "request id, as `pending` shows it (r-...)")->required();
}

void add_audit_command(CLI::App& app, Parsed& p, Commands& c) {
    c.audit = app.add_subcommand("audit", "show jitd's journal entries (needs journal access)");
    c.audit->add_option("--since", p.audit.since,
                        "start: a duration back from now (7d, 12h) or a UTC time "
                        "(2026-11-23T14:03:00Z, 2026-11-23); default 7d");
    c.until = c.audit->add_option("--until", p.until, "end, in the same forms; default now");
    c.user = c.audit->add_option("--user", p.user, "only this user's events");
    c.port = c.audit->add_option("--port", p.audit_port, "only this port's events")
                 ->check(CLI::Range(1, 65535));
    c.audit->add_option("--format", p.format, "table (default), csv (RFC 4180) or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    c.audit->add_flag("--include-untrusted", p.audit.include_untrusted,
                      "also show entries that claim to be jitd's but were not written by it, "
                      "marked (never counted in the per-port summary)");
    c.directory = c.audit->add_option(
        "--directory", p.directory,
        "read the journal files in DIR (a systemd-journal-remote collection, one file per "
        "host) instead of this host's journal");
    c.files =
        c.audit->add_option("--file", p.files, "read these journal files instead (repeatable)")
            ->excludes(c.directory);
    c.host = c.audit->add_option("--host", p.host, "only this host's events (its _HOSTNAME)");
    c.audit
        ->add_option("--by", p.by,
                     "only a summary: port (grants per port) or host (the per-host table: "
                     "grants, refusals, last access, ports, last user)")
        ->check(CLI::IsMember({"port", "host"}));
}

// --socket, else $JITD_SOCKET, else the default; and --timeout.
DaemonTarget daemon_target(const Parsed& p, const Commands& c, Io& io) {
    DaemonTarget target;
    if (c.socket->count() > 0) {
        target.socket = p.socket;
    } else if (auto env = io.getenv("JITD_SOCKET"); env && !env->empty()) {
        target.socket = *env;
    }
    target.timeout = std::chrono::milliseconds(static_cast<long long>(p.timeout_s * 1000));
    return target;
}

int run_open(const DaemonTarget& target, const Parsed& p, const Commands& c, Io& io) {
    const OpenCommon common{
        p.port_spec, c.open_for->count() > 0 ? std::optional(p.for_text) : std::nullopt,
        c.open_until->count() > 0 ? std::optional(p.open_until) : std::nullopt,
        c.open_from->count() > 0 ? std::optional(p.from) : std::nullopt, p.reason};
    if (common.for_text && common.until) return usage(io, "--for and --until exclude each other");
    if (const int rc = c.remote->run(common, io); rc >= 0) return rc;
    OpenArgs args;
    const auto port = parse_port_spec(p.port_spec);
    if (!port) return usage(io, port.error);
    args.port = port.value;
    if (c.open_for->count() > 0) {
        const auto d = config::parse_duration(p.for_text);
        if (!d) return usage(io, "--for: " + d.error);
        args.duration = d.value;
    }
    if (common.until) {
        const auto now = wire::now_seconds();
        const auto end = parse_until(*common.until, now);
        if (!end) return usage(io, "--until: " + end.error);
        args.duration = duration_until(end.value, now);
    }
    args.source = resolve_source(p.from, c.open_from->count() > 0, io);
    if (args.source.empty()) return kExitUsage;
    args.reason = p.reason;
    if (const auto wait = c.remote->wait_text()) {
        args.wait = std::chrono::seconds(0);  // until the request lapses
        if (!wait->empty()) {
            const auto d = config::parse_duration(*wait);
            if (!d) return usage(io, "--wait: " + d.error);
            if (d.value < std::chrono::seconds(1)) return usage(io, "--wait must be at least 1s");
            args.wait = d.value;
        }
    }
    return open_grant(target, args, io);
}

int run_audit_command(Parsed& p, const Commands& c, Io& io) {
    if (c.until->count() > 0) p.audit.until = p.until;
    if (c.user->count() > 0) p.audit.user = p.user;
    if (c.port->count() > 0) p.audit.port = static_cast<std::uint16_t>(p.audit_port);
    if (c.host->count() > 0) p.audit.host = p.host;
    if (c.directory->count() > 0) {
        p.audit.source.kind = JournalSource::Kind::directory;
        p.audit.source.directory = p.directory;
    } else if (c.files->count() > 0) {
        p.audit.source.kind = JournalSource::Kind::files;
        p.audit.source.files = p.files;
    }
    p.audit.by = p.by == "port" ? AuditBy::port : p.by == "host" ? AuditBy::host : AuditBy::events;
    p.audit.format = p.format == "csv"    ? AuditFormat::csv
                     : p.format == "json" ? AuditFormat::json
                                          : AuditFormat::table;
    return run_audit(p.audit, io);
}

int run_parsed(Parsed& p, const Commands& c, Io& io) {
    const DaemonTarget target = daemon_target(p, c, io);
    if (c.open->parsed()) return run_open(target, p, c, io);
    if (c.list->parsed()) return list_grants(target, p.json, io);
    if (c.revoke->parsed()) return revoke_grant(target, p.id, p.kill, io);
    if (c.extend->parsed()) {
        const auto d = config::parse_duration(p.extend_for);
        if (!d) return usage(io, "--for: " + d.error);
        return extend_grant(target, p.id, d.value, io);
    }
    if (c.status->parsed()) return show_status(target, p.json, io);
    if (c.pending->parsed()) return list_pending(target, p.json, io);
    if (c.approve->parsed()) return decide_request(target, "approve", p.id, p.reason, io);
    if (c.reject->parsed()) return decide_request(target, "reject", p.id, p.reason, io);
    if (c.cancel->parsed()) return cancel_request(target, p.id, io);
    if (c.audit->parsed()) return run_audit_command(p, c, io);
    return usage(io, "no subcommand (see jit-request --help)");
}

}  // namespace

int run_cli(int argc, const char* const* argv, Io& io) {
    Parsed p;
    Commands c;
    CLI::App app{"Ask jitd to open a management port to your address for a while.", "jit-request"};
    app.set_version_flag("--version", "jit-request " JITD_VERSION);
    app.footer(kFooter);
    app.require_subcommand(1);
    app.fallthrough();  // global options may follow the subcommand
    c.socket = app.add_option("--socket", p.socket,
                              "jitd's socket (default: $JITD_SOCKET, else " +
                                  std::string(wire::kDefaultSocketPath) + ")");
    app.add_option("--timeout", p.timeout_s, "seconds to wait for jitd (default 10)")
        ->check(CLI::PositiveNumber);
    add_daemon_commands(app, p, c);
    add_audit_command(app, p, c);
    const KeysCommand keys(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e, io.out, io.err);  // --help, --version
        const auto subs = app.get_subcommands();
        const std::string help = subs.empty()
                                     ? "jit-request --help"
                                     : "jit-request " + subs.front()->get_name() + " --help";
        return usage(io, std::string(e.what()) + " (see " + help + ")");
    }
    if (keys.parsed()) return keys.run(io);
    return run_parsed(p, c, io);
}

}  // namespace jitd::client
