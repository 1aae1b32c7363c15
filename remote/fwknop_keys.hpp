#pragma once
// Per-user fwknop key files: /etc/jitd/keys/<user>.fwknop holding the two lines that
// `fwknop --key-gen` prints (key_base64, hmac_key_base64). The key that verifies a packet's
// HMAC names the user; the name inside the packet is client-chosen and only journaled.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "remote/hmac_sha256.hpp"

namespace jitd::remote {

struct FwknopKey {
    std::string user;                       // from the file name <user>.fwknop
    std::string file;                       // full path, journaled as JITD_KEY
    std::vector<unsigned char> encryption;  // key_base64, decoded
    std::vector<unsigned char> hmac;        // hmac_key_base64, decoded
    // The HMAC key schedule done once (load_fwknop_keys sets it; prepare_hmac() for keys made
    // otherwise). decode_spa uses it only while it matches `hmac`, else it keys afresh.
    std::shared_ptr<const HmacSha256> hmac_prepared{};
};

// Sets key.hmac_prepared from key.hmac.
void prepare_hmac(FwknopKey& key);

struct FwknopKeyLoad {
    std::vector<FwknopKey> keys;
    std::vector<std::string> errors;  // "FILE: what is wrong", one per refused file
};

// Reads DIR/*.fwknop (sorted by name). Refuses a file that is not a regular file (symlinks
// too), not owned by root (or by the loading process's user), writable by group or others,
// readable by others, or group-readable by a group other than root and `allowed_gid`; and one
// with an unknown, repeated or missing setting, bad base64, an encryption key outside 1..32
// bytes, an HMAC key outside 32..128 bytes, equal keys, or a user name that is not
// [A-Za-z0-9._-]+ (no leading '.' or '-'). Keys come back with hmac_prepared set.
FwknopKeyLoad load_fwknop_keys(const std::string& dir, gid_t allowed_gid);

// Checks one file's ownership and mode as load_fwknop_keys does; "" when fine, else the reason.
std::string check_key_file_access(const std::string& file, gid_t allowed_gid);

// Parses the text of one key file (without the access check); throws std::invalid_argument.
FwknopKey parse_fwknop_key(const std::string& user, const std::string& file,
                           const std::string& text);

// True for a name usable as <user> in <user>.fwknop.
bool valid_key_user(const std::string& user);

// Fresh random keys, as `fwknop --key-gen` makes them: 32-byte encryption, 64-byte HMAC key.
struct GeneratedFwknopKey {
    std::vector<unsigned char> encryption;
    std::vector<unsigned char> hmac;
};
GeneratedFwknopKey generate_fwknop_key();

// The file text for a key: "key_base64: ...\nhmac_key_base64: ...\n".
std::string format_fwknop_key_file(const GeneratedFwknopKey& key);

}  // namespace jitd::remote
