// The whole check of one signed-request datagram: signature first, then who signed, then the
// request's fields. The caller (the daemon's remote intake) adds the replay cache and the policy.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cidr.hpp"
#include "remote/ssh/ssh_keyring.hpp"
#include "remote/ssh/ssh_request.hpp"

namespace jitd::remote::ssh {

// Why a datagram was refused; refusal_name() gives a stable token for counting.
enum class Refusal : std::uint8_t {
    none,
    oversize,             // more than 1232 bytes
    malformed,            // not a datagram, sshsig, key, certificate or request we can parse
    wrong_namespace,      // sshsig namespace is not "jitd"
    unknown_key,          // key not in any <user>.pub, or certificate from an unknown CA
    bad_signature,        // signature (or security-key flags) does not verify
    certificate_invalid,  // host certificate, bad CA signature, no principals
    certificate_expired,
    certificate_not_yet_valid,
    certificate_option,  // a critical option jitd refuses (unknown, force-command)
    wrong_user,          // principal or key owner is not the requested user, or ambiguous
    wrong_host,          // the signed host name is not one of ours
    stale,               // client time further than max_age from ours
    source_not_allowed,  // from= or source-address excludes the sender or the requested source
};
const char* refusal_name(Refusal r);

struct VerifyPolicy {
    std::chrono::seconds max_age{120};
    bool require_user_presence = true;  // security keys: off accepts untouched signatures
};

struct SignerIdentity {
    std::string user;
    std::string key_type;     // "ssh-ed25519", or the certificate type
    std::string fingerprint;  // SHA256:... of the (certified) key
    std::string where;        // FILE:LINE of the keyring entry, empty for a certificate
    bool certificate = false;
    std::string cert_key_id;
    std::uint64_t cert_serial = 0;
    std::string ca_fingerprint;
    // A certificate's end: the grant must not outlast it.
    std::optional<std::chrono::system_clock::time_point> valid_before;
};

struct VerifyResult {
    Refusal refusal = Refusal::none;
    std::string reason;  // for the journal summary; says which check failed
    // The signature verified: a refusal after it names the signer (identity.fingerprint, and
    // identity.user once known) and may be journaled; one before it is only counted.
    bool authenticated = false;
    SignerIdentity identity;
    SignedRequest request;
    explicit operator bool() const { return refusal == Refusal::none; }
};

// `sender` is the packet's source address (a host prefix; IPv4-mapped IPv6 counts as IPv4).
// `host_names` compare case-insensitively.
VerifyResult verify_signed_request(std::string_view datagram, const Keyring& keyring,
                                   const std::vector<std::string>& host_names,
                                   std::chrono::system_clock::time_point now,
                                   const config::Cidr& sender, const VerifyPolicy& policy = {});

}  // namespace jitd::remote::ssh
