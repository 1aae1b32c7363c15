// What must hold for ANY element comment read back from the kernel (agent/daemon/comment.hpp).
// Shared by the libFuzzer target (clang, JITD_FUZZ=ON) and the corpus replay test.
#pragma once

#include <string>
#include <string_view>

namespace jitd::fuzz {

// Feeds `input` to parse_comment, parse_comment_chain_start and parse_legacy_comment; returns ""
// when sound: at most one format accepts, what is accepted prints back to exactly the input (the
// chain start included, always before the grant's start), and nothing accepted carries a
// character outside the format's alphabet.
// Then check_pending_comment.
std::string check_comment_input(std::string_view input);
// The pending set's request and approval comments (agent/daemon/pending_elements.hpp): at most
// one accepts, and what is accepted prints back to exactly the input, within 127 bytes.
std::string check_pending_comment(std::string_view input);

}  // namespace jitd::fuzz
