#pragma once
// Per-user fwknop key files: /etc/jitd/keys/<user>.fwknop holding the two lines that
// `fwknop --key-gen` prints (key_base64, hmac_key_base64). The key that verifies a packet's
// HMAC names the user; the name inside the packet is client-chosen and only journaled.

#include <sys/types.h>

#include <string>
#include <vector>

namespace jitd::remote {

struct FwknopKey {
    std::string user;                       // from the file name <user>.fwknop
    std::string file;                       // full path, journaled as JITD_KEY
    std::vector<unsigned char> encryption;  // key_base64, decoded
    std::vector<unsigned char> hmac;        // hmac_key_base64, decoded
};

struct FwknopKeyLoad {
    std::vector<FwknopKey> keys;
    std::vector<std::string> errors;  // "FILE: what is wrong", one per refused file
};

// Reads DIR/*.fwknop (sorted by name). Refuses a file that is not a regular file, not owned by
// root, writable by group or others, or readable by others; group-readable only when the group
// is root or `allowed_gid`. Refuses unknown, duplicate or missing lines, bad base64, an
// encryption key of 1..32 bytes not met, an HMAC key shorter than 32 or longer than 128 bytes,
// equal keys, and a user name that is not [A-Za-z0-9._-]+ (no leading '.' or '-').
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
