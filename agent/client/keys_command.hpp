// `jit-request keys add|list`: helps an admin create and check the per-user key files in
// /etc/jitd/keys that remote requests are verified with. Local files only; no daemon involved.
#pragma once

#include <optional>
#include <string>

#include "agent/client/context.hpp"

namespace CLI {
class App;
}

namespace jitd::client {

inline constexpr const char* kDefaultKeysDir = "/etc/jitd/keys";

struct KeysAddOptions {
    std::string user;
    std::string dir = kDefaultKeysDir;
    bool fwknop = false;  // the kind: fwknop keys made here, or
    std::string pub;      // --pub FILE: the user's SSH public keys (keys_ssh.hpp)
    bool force = false;   // replace an existing file
    std::string server;   // SPA_SERVER in the printed stanza (default: this host's name)
    std::string access = "tcp/22";
};

// Writes DIR/USER.fwknop with fresh keys (mode 0640, root:jitd, or root:root without a jitd
// group) and prints the user's ~/.fwknoprc stanza on io.out.
int keys_add(const KeysAddOptions& options, Io& io);
// A table of the key files in `dir` (fwknop files, and each SSH key of the .pub files and of
// `user_ca`): user, kind, file, mode, owner, and whether jitd accepts it. Exit 1 when some
// file or key would be refused.
int keys_list(const std::string& dir, Io& io, const std::optional<std::string>& user_ca = {});

// Registers `keys` on the command line; run() executes it once parsed() holds.
class KeysCommand {
  public:
    explicit KeysCommand(CLI::App& app);
    bool parsed() const;
    int run(Io& io) const;

  private:
    CLI::App* keys_;
    CLI::App* add_;
    CLI::App* list_;
    KeysAddOptions add_options_;
    std::string list_dir_ = kDefaultKeysDir;
    std::string list_user_ca_;
};

}  // namespace jitd::client
