// What must hold for ANY input to the fwknop SPA decoder (remote/fwknop_spa.hpp). Shared by the
// libFuzzer target fuzz_fwknop (clang, JITD_FUZZ=ON) and the corpus replay test.
#pragma once

#include <string>
#include <string_view>

namespace jitd::fuzz {

// Feeds `input` to parse_spa_plaintext, to decode_spa as a wire payload (fixed key), to
// decode_spa as the body of a wire payload with a valid tag (so it is authenticated and reaches
// the base64/AES stage), and, encrypted under the fixed key, as a plaintext (so the parse runs
// behind the real decryption). Returns "" when sound: exactly one of message and refusal, a
// refusal from the right stage, an accepted message within the grammar, and the same verdict
// for a plaintext whether parsed directly or decrypted first.
std::string check_fwknop_input(std::string_view input);

}  // namespace jitd::fuzz
