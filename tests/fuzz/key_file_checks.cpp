// The key file and armored-signature invariants (see key_file_checks.hpp).
#include "tests/fuzz/key_file_checks.hpp"

#include <exception>
#include <optional>
#include <stdexcept>

#include "remote/ssh/ssh_private_key.hpp"
#include "remote/ssh/ssh_sig.hpp"

namespace jitd::fuzz {

namespace ssh = remote::ssh;

std::string check_key_file_input(std::string_view input) {
    std::optional<ssh::KeyFileHeader> header;
    try {
        header = ssh::read_key_file_header(input, "fuzz");
    } catch (const std::runtime_error&) {  // WireError and its kin: a refusal, fine
    } catch (const std::exception& e) {
        return std::string("read_key_file_header threw ") + e.what();
    }
    try {
        auto signer = ssh::KeyFileSigner::from_text(input, "fuzz");
        if (!header) return "a key loaded whose header did not parse";
        if (header->encrypted) return "a key loaded whose header says encrypted";
        if (signer->public_key_blob() != header->public_key.blob)
            return "the loaded key and the header's public key differ";
        try {
            (void)ssh::sign_sshsig(*signer, ssh::kJitdNamespace, input);
        } catch (const std::runtime_error&) {  // a key libcrypto refuses to sign with
        }
    } catch (const std::runtime_error&) {
    } catch (const std::exception& e) {
        return std::string("KeyFileSigner::from_text threw ") + e.what();
    }
    try {
        const std::string blob = ssh::dearmor_sshsig(input);
        (void)ssh::parse_sshsig(blob);
    } catch (const std::runtime_error&) {
    } catch (const std::exception& e) {
        return std::string("dearmor/parse_sshsig threw ") + e.what();
    }
    return {};
}

}  // namespace jitd::fuzz
