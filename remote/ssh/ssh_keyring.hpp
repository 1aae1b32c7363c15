// Who may sign: /etc/jitd/keys/<user>.pub (authorized_keys lines) and the remote.user_ca keys.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/ssh/ssh_key.hpp"
#include "remote/ssh/ssh_source_rule.hpp"

namespace jitd::remote::ssh {

struct KeyEntry {
    std::string user;
    PublicKey key;
    std::string fingerprint;
    std::optional<SourceRule> from;  // from="..."
    SkRequirements sk;               // no-touch-required, verify-required
    std::string where;               // FILE:LINE, for messages
};

struct Keyring {
    std::vector<KeyEntry> keys;
    std::vector<PublicKey> user_cas;

    // Every entry whose key blob equals `blob` (a key may be listed for several users).
    std::vector<const KeyEntry*> find(std::string_view blob) const;
    const PublicKey* find_ca(std::string_view blob) const;
};

// Each problem as "FILE:LINE: what"; the lines with problems are left out of the keyring.
using LoadErrors = std::vector<std::string>;

// One user's authorized_keys text. `file` names it in errors.
void add_authorized_keys(Keyring& ring, const std::string& user, std::string_view text,
                         const std::string& file, LoadErrors& errors);
// CA public keys, one per line ("TYPE BASE64 [COMMENT]"; blank lines and # comments allowed).
void add_user_cas(Keyring& ring, std::string_view text, const std::string& file,
                  LoadErrors& errors);

// True for names jitd accepts as a user from a file name or certificate principal.
bool valid_user_name(std::string_view name);

struct KeyringLoad {
    Keyring keyring;
    LoadErrors errors;
};
// Reads every <user>.pub in `keys_dir` (other files are not ours) and `user_ca` if given.
KeyringLoad load_keyring(const std::filesystem::path& keys_dir,
                         const std::optional<std::filesystem::path>& user_ca);

}  // namespace jitd::remote::ssh
