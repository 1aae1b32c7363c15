// What must hold for ANY datagram or text given to the signed-request parsers (remote/ssh):
// shared by the libFuzzer target fuzz_signed_request and the corpus replay test.
#pragma once

#include <string>
#include <string_view>

#include "remote/ssh/ssh_verify.hpp"

namespace jitd::fuzz {

// Feeds `input` to decode_request, parse_sshsig, parse_public_key, parse_certificate,
// add_authorized_keys and verify_signed_request; returns "" when sound: nothing throws past its
// parser, a decoded request encodes back to exactly the input, a refusal has a reason, and an
// accepted datagram's request is the one its bytes decode to.
std::string check_signed_request_input(std::string_view input);

// verify_signed_request with the checks' keyring, host names, sender and fixed clock (the
// seeds in corpus/signed_request were signed for them).
remote::ssh::VerifyResult verify_with_fuzz_keyring(std::string_view datagram);

}  // namespace jitd::fuzz
