// Argument checks for a remote open, then build, send and (optionally) wait.
#include "agent/client/remote_open_command.hpp"

#include <chrono>
#include <stdexcept>

#include "agent/client/arguments.hpp"
#include "agent/client/exit_codes.hpp"
#include "agent/client/remote_open.hpp"
#include "agent/client/until_time.hpp"
#include "agent/wire/timefmt.hpp"
#include "config/cidr.hpp"
#include "config/duration.hpp"
#include "remote/ssh/ssh_request.hpp"
#include "remote/ssh/ssh_wire.hpp"

namespace jitd::client {
namespace {

namespace ssh = remote::ssh;

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

ssh::SignedRequest request_from(const RemoteOpenOptions& o, const std::string& host) {
    ssh::SignedRequest r;
    r.host = host;
    const auto spec = parse_port_spec(o.port);
    if (!spec) throw UsageError(spec.error);
    r.port = spec.value.port;
    r.protocol = spec.value.protocol;
    if (o.for_text && o.until) throw UsageError("--for and --until exclude each other");
    if (o.for_text) {
        const auto d = config::parse_duration(*o.for_text);
        if (!d) throw UsageError("--for: " + d.error);
        if (d.value.count() <= 0) throw UsageError("--for must be longer than zero");
        r.end = ssh::SignedRequest::End::duration;
        r.end_value = static_cast<std::uint64_t>(d.value.count());
    } else if (o.until) {
        const auto t = parse_until(*o.until, wire::now_seconds());
        if (!t) throw UsageError("--until: " + t.error);
        r.end = ssh::SignedRequest::End::until;
        r.end_value = static_cast<std::uint64_t>(t.value.time_since_epoch().count());
    }
    if (o.from && o.from_packet) throw UsageError("--from and --from-packet exclude each other");
    if (o.from) {
        const auto c = config::parse_cidr(*o.from);
        if (!c) throw UsageError("--from: " + c.error);
        r.source = c.value;
    } else if (!o.from_packet) {
        throw UsageError(
            "say which source to open: --from ADDR (your public address) or --from-packet (the "
            "address jitd sees the request come from)");
    }
    r.reason = o.reason;
    r.user = o.user;
    try {
        ssh::encode_request(r);  // the field checks, before any key is asked to sign
    } catch (const ssh::WireError& e) {
        throw UsageError(e.what());
    }
    return r;
}

std::chrono::seconds seconds_of(std::chrono::milliseconds d) {
    return std::chrono::ceil<std::chrono::seconds>(d);
}

}  // namespace

int run_remote_open(const RemoteOpenOptions& opts, std::ostream& out, std::ostream& err) {
    std::pair<std::string, std::uint16_t> target;
    ssh::SignedRequest base;
    try {
        target = parse_host_port(opts.host);
        base = request_from(opts, target.first);
    } catch (const std::exception& e) {
        err << "jit-request: " << e.what() << "\n";
        return kExitUsage;
    }
    BuiltRequests built;
    try {
        auto signers = request_signers(opts.key);
        built = build_signed_requests(base, signers);
    } catch (const std::exception& e) {
        err << "jit-request: " << e.what() << "\n";
        return kExitUnavailable;
    }
    for (const auto& s : built.skipped) err << "jit-request: skipped key " << s << "\n";
    if (built.datagrams.empty()) {
        err << "jit-request: no key could sign the request\n";
        return kExitUnavailable;
    }
    if (auto e = send_signed_requests(target.first, target.second, built.datagrams); !e.empty()) {
        err << "jit-request: " << e << "\n";
        return kExitUnavailable;
    }
    if (!opts.quiet)
        out << "sent " << built.datagrams.size() << " signed request"
            << (built.datagrams.size() == 1 ? "" : "s") << " to " << target.first << ":"
            << target.second << "\n"
            << "if port " << base.port << " on " << target.first
            << " needs approval, ask an approver: jit-request approve " << built.request_id << "\n";
    if (!opts.wait) return kExitOk;
    if (!opts.quiet)
        err << "jit-request: waiting up to " << config::format_duration(seconds_of(*opts.wait))
            << " for port " << base.port << " on " << target.first << " to open (request "
            << built.request_id << ")\n";
    if (wait_for_tcp(target.first, base.port, *opts.wait)) {
        if (!opts.quiet) out << "port " << base.port << " on " << target.first << " is open\n";
        return kExitOk;
    }
    err << "jit-request: port " << base.port << " on " << target.first
        << " did not accept a connection in time\n";
    return kExitWaitTimeout;
}

}  // namespace jitd::client
