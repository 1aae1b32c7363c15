// The fuzz keyring: public halves of throwaway keys made for the seeds (see
// make_signed_request_seeds.py); their private halves were discarded.
#include "tests/fuzz/signed_request_checks.hpp"

#include <chrono>

#include "remote/ssh/ssh_cert.hpp"
#include "remote/ssh/ssh_sig.hpp"

namespace jitd::fuzz {
namespace {

namespace ssh = remote::ssh;

constexpr const char* kUserKeys =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIyL0djhwOzAz53GXsXQ5QtAOiaqQnbnAN/jnTRYU+MO"
    " fuzz-user"
    "\n"
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBOUXac/m"
    "f7N8OcezJEA0h7mIXdOJ9QOoUbQjXilCtjAkcimUA84SveWuOCg4SZM9lSE3ccPVwqMYDbrn2ovjCZw="
    " fuzz-ecdsa"
    "\n"
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7zn02Imv240BJDiJpuqso4RAp7Rn5XgDNH5QwN/ZH"
    "uzEpNFNxLSB4GVJLZnbmhKCQIGGdvaF5TX6OqMSb3uFZJSkVIn++lITHLorgqsfSJ4g6JO9CGCgS/sH9"
    "jzD2Uh2JJNfEUwP9C0XHQri8QPqtQu6uN08uNC7Hi2eYncQY7ePCXqA9qBzBqJxvJ6ZalbFL04YdCxZi"
    "xigLCJz4uffVv49SKPlLsapOZ8cOyh9o+WZUUdHy4AUJSd3Xodl2gCo8vs+yntYBUyyfJtfEhQjuuhrO"
    "/RXe8hCxK/0UHAFZ5J9ttF6SMpdmwslHefKn/i5xL/XecgtC75W0WoZcScLp fuzz-rsa"
    "\n";
constexpr const char* kUserCa =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKzUNUN080UcqyujzMeDCg9m2rMmfUne0FY3/2R5ZJ1x"
    " fuzz-ca"
    "\n";

const ssh::Keyring& keyring() {
    static const ssh::Keyring ring = [] {
        ssh::Keyring r;
        ssh::LoadErrors errors;
        ssh::add_authorized_keys(r, "alice", kUserKeys, "alice.pub", errors);
        ssh::add_user_cas(r, kUserCa, "user_ca.pub", errors);
        return r;
    }();
    return ring;
}

std::string check_parsers(std::string_view input) {
    try {
        const auto r = ssh::decode_request(input);
        if (ssh::encode_request(r) != input) return "a decoded request does not encode back";
    } catch (const ssh::WireError&) {
    }
    try {
        ssh::parse_sshsig(input);
    } catch (const ssh::WireError&) {
    }
    try {
        ssh::parse_public_key(input);
    } catch (const ssh::WireError&) {
    }
    try {
        const auto c = ssh::parse_certificate(input);
        if (c.signed_part.size() >= input.size()) return "certificate signed part is everything";
    } catch (const ssh::WireError&) {
    }
    ssh::Keyring ring;
    ssh::LoadErrors errors;
    ssh::add_authorized_keys(ring, "u", input, "f", errors);
    for (const auto& k : ring.keys)
        if (k.fingerprint.rfind("SHA256:", 0) != 0) return "a key without a fingerprint";
    for (const auto& e : errors)
        if (e.rfind("f:", 0) != 0) return "a load error without FILE:LINE";
    return {};
}

}  // namespace

ssh::VerifyResult verify_with_fuzz_keyring(std::string_view datagram) {
    static const std::vector<std::string> hosts{"bastion-7"};
    static const config::Cidr sender = config::parse_cidr("192.0.2.10").value;
    const std::chrono::system_clock::time_point now{std::chrono::seconds(1800000000)};
    return ssh::verify_signed_request(datagram, keyring(), hosts, now, sender);
}

std::string check_signed_request_input(std::string_view input) {
    if (auto problem = check_parsers(input); !problem.empty()) return problem;
    const auto res = verify_with_fuzz_keyring(input);
    if (!res) return res.reason.empty() ? "a refusal without a reason" : "";
    const auto parts = ssh::split_datagram(input);
    if (!(ssh::decode_request(parts.request) == res.request))
        return "accepted request differs from its bytes";
    if (res.identity.user.empty() || res.identity.fingerprint.empty())
        return "accepted without an identity";
    return {};
}

}  // namespace jitd::fuzz
