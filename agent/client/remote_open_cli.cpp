#include "agent/client/remote_open_cli.hpp"

#include <ostream>

#include <CLI/CLI.hpp>

#include "agent/client/exit_codes.hpp"
#include "agent/client/remote_open_command.hpp"
#include "config/duration.hpp"

namespace jitd::client {

RemoteOpenFlags::RemoteOpenFlags(CLI::App& open) {
    host_ = open.add_option("--host", host_text_,
                            "send a signed remote request to HOST[:UDPPORT] (default udp port "
                            "62201) instead of asking the local jitd");
    from_packet_ = open.add_flag("--from-packet", from_packet_flag_,
                                 "with --host: admit the address the request comes from "
                                 "(needs remote.packet_source on the host)");
    key_ = open.add_option("--key", key_text_,
                           "with --host: sign with this OpenSSH private key file; ssh-keygen "
                           "signs a passphrase-protected or security-key one (default: every "
                           "key of the ssh-agent)");
    wait_ = open.add_option("--wait", wait_text_,
                            "with --host: wait until PORT accepts a TCP connection (default "
                            "30s); exit 75 when it does not. Local, on a port that needs "
                            "approval: wait for the decision (default: until it lapses)")
                ->expected(0, 1)
                ->default_str("30s");
    quiet_ = open.add_flag("--quiet", quiet_flag_, "with --host: print nothing on success");
    user_ = open.add_option("--user", user_text_,
                            "with --host: the user to act as when the key or certificate "
                            "names several");
}

std::optional<std::string> RemoteOpenFlags::wait_text() const {
    if (wait_->count() == 0) return std::nullopt;
    return wait_text_;
}

bool RemoteOpenFlags::requested() const {
    return host_->count() > 0;
}

int RemoteOpenFlags::run(const OpenCommon& common, Io& io) const {
    if (!requested()) {
        for (const CLI::Option* o : {from_packet_, key_, quiet_, user_})
            if (o->count() > 0) {
                io.err << "jit-request: " << o->get_name() << " needs --host\n";
                return kExitUsage;
            }
        return -1;
    }
    RemoteOpenOptions opts;
    opts.port = common.port;
    opts.host = host_text_;
    opts.for_text = common.for_text;
    opts.from = common.from;
    opts.reason = common.reason;
    opts.until = common.until;
    opts.from_packet = from_packet_flag_;
    if (key_->count() > 0) opts.key = key_text_;
    if (user_->count() > 0) opts.user = user_text_;
    opts.quiet = quiet_flag_;
    if (wait_->count() > 0) {
        const std::string text = wait_text_.empty() ? "30s" : wait_text_;
        const auto d = config::parse_duration(text);
        if (!d || d.value.count() <= 0) {
            io.err << "jit-request: --wait: '" << text << "' is not a duration (30s, 2m)\n";
            return kExitUsage;
        }
        opts.wait = std::chrono::duration_cast<std::chrono::milliseconds>(d.value);
    }
    return run_remote_open(opts, io.out, io.err);
}

}  // namespace jitd::client
