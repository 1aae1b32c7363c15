// The SSH side of `jit-request keys`: add a user's public keys (authorized_keys lines) to
// DIR/USER.pub, and the rows `keys list` shows for the .pub files and the remote.user_ca keys.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/client/context.hpp"

namespace jitd::client {

// Checks every line of `pub_file` as jitd will read it (refusing unknown options, command=,
// cert-authority), then appends the new ones to DIR/USER.pub (`replace`: writes it anew), mode
// 0640 root:jitd. Nothing is written when a line is refused.
int keys_add_pub(const std::string& dir, const std::string& user, const std::string& pub_file,
                 bool replace, Io& io);

struct KeyRow {
    std::string user, kind, file, check;  // file: the path; check: "ok ..." or "refused: ..."
};
// One row per key in DIR/*.pub (type, fingerprint, options) and per CA key in `user_ca`.
std::vector<KeyRow> ssh_key_rows(const std::string& dir, const std::optional<std::string>& user_ca);

}  // namespace jitd::client
