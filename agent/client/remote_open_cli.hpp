// The options `open` takes for a remote request (--host and what only makes sense with it),
// registered on the `open` subcommand; with --host, `open` runs run_remote_open instead of
// asking the local daemon.
#pragma once

#include <optional>
#include <string>

#include "agent/client/context.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace jitd::client {

// The options both kinds of `open` share, as the command line gave them.
struct OpenCommon {
    std::string port;
    std::optional<std::string> for_text;
    std::optional<std::string> until;  // --until TIME (until_time.hpp), exclusive with --for
    std::optional<std::string> from;
    std::string reason;
};

class RemoteOpenFlags {
  public:
    explicit RemoteOpenFlags(CLI::App& open);
    RemoteOpenFlags(const RemoteOpenFlags&) = delete;  // the options point into it
    RemoteOpenFlags& operator=(const RemoteOpenFlags&) = delete;
    bool requested() const;  // --host given
    // --wait as given ("" without a value), for a local open too.
    std::optional<std::string> wait_text() const;
    // With --host: the whole remote open (exit 0/64/69/75). Without: 64 when a remote-only
    // option was given, else -1 (go on with a local open).
    int run(const OpenCommon& common, Io& io) const;

  private:
    CLI::Option* host_ = nullptr;
    CLI::Option* from_packet_ = nullptr;
    CLI::Option* key_ = nullptr;
    CLI::Option* wait_ = nullptr;
    CLI::Option* quiet_ = nullptr;
    CLI::Option* user_ = nullptr;
    std::string host_text_, key_text_, wait_text_, user_text_;
    bool from_packet_flag_ = false, quiet_flag_ = false;
};

}  // namespace jitd::client
