// What must hold for ANY text given as an OpenSSH private key file (remote/ssh/ssh_private_key)
// or as ssh-keygen's armored signature output (the client's ssh-keygen signer reads it back):
// shared by the libFuzzer target fuzz_key_file and the corpus replay test.
#pragma once

#include <string>
#include <string_view>

namespace jitd::fuzz {

// Feeds `input` to read_key_file_header, KeyFileSigner::from_text (and signs with what loads),
// dearmor_sshsig and parse_sshsig; returns "" when sound: only WireError/runtime_error leave a
// parser, and a file that loads has a header that says unencrypted with the same public key.
std::string check_key_file_input(std::string_view input);

}  // namespace jitd::fuzz
