// verify_signed_request: nothing in the request is read before its signature has verified.
#include "remote/ssh/ssh_verify.hpp"

#include <strings.h>
#include <algorithm>

#include "remote/ssh/ssh_cert.hpp"
#include "remote/ssh/ssh_sig.hpp"

namespace jitd::remote::ssh {
namespace {

struct Refused {
    Refusal code;
    std::string reason;
};

// What the signature check found out about the signer, before the request is parsed.
struct Signer {
    PublicKey key;
    std::vector<const KeyEntry*> entries;  // plain keys
    std::optional<Certificate> cert;
    std::optional<SourceRule> cert_source;
    bool verify_required = false;
};

config::Cidr unmapped(config::Cidr a) {
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (a.family == config::Cidr::Family::ipv6 && a.prefix_len == 128 &&
        std::equal(kMapped, kMapped + 12, a.bytes.begin())) {
        config::Cidr v4;
        std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
        return v4;
    }
    return a;
}

void check_certificate(Signer& s, const Keyring& ring, std::int64_t now) {
    const Certificate& c = *s.cert;
    const PublicKey* ca = ring.find_ca(c.signature_key);
    if (ca == nullptr)
        throw Refused{Refusal::unknown_key,
                      "certificate signed by a CA that is not remote.user_ca"};
    if (c.cert_type != kUserCert)
        throw Refused{Refusal::certificate_invalid, "not a user certificate"};
    if (auto err = verify_certificate_signature(c, *ca); !err.empty())
        throw Refused{Refusal::certificate_invalid, "CA signature: " + err};
    if (c.principals.empty())
        throw Refused{Refusal::certificate_invalid, "certificate names no principal"};
    if (static_cast<std::uint64_t>(now) < c.valid_after)
        throw Refused{Refusal::certificate_not_yet_valid, "certificate is not valid yet"};
    if (static_cast<std::uint64_t>(now) >= c.valid_before)
        throw Refused{Refusal::certificate_expired, "certificate has expired"};
    for (const auto& [name, value] : c.critical_options) {
        if (name == "source-address") {
            auto rule = parse_source_address(value);
            if (!rule.error.empty()) throw Refused{Refusal::certificate_option, rule.error};
            s.cert_source = std::move(rule.rule);
        } else if (name == "verify-required") {
            s.verify_required = true;
        } else if (name == "force-command") {
            throw Refused{Refusal::certificate_option,
                          "certificate has force-command: it is restricted to one command, and "
                          "jitd does not let it open ports"};
        } else {
            throw Refused{Refusal::certificate_option,
                          "unknown critical option '" + name.substr(0, 64) + "'"};
        }
    }
}

// Parses the signer's key and checks the signature over `request`.
Signer check_signature(std::string_view sshsig_blob, std::string_view request, const Keyring& ring,
                       std::int64_t now, std::uint8_t& sk_flags) {
    Sshsig sig;
    try {
        sig = parse_sshsig(sshsig_blob);
    } catch (const WireError& e) {
        throw Refused{Refusal::malformed, e.what()};
    }
    if (sig.name_space != kJitdNamespace)
        throw Refused{Refusal::wrong_namespace, "signature namespace is not \"jitd\""};
    Signer s;
    try {
        if (is_certificate_blob(sig.public_key)) {
            s.cert = parse_certificate(sig.public_key);
            s.key = s.cert->key;
        } else {
            s.key = parse_public_key(sig.public_key);
        }
    } catch (const WireError& e) {
        throw Refused{Refusal::malformed, e.what()};
    }
    if (s.cert) {
        check_certificate(s, ring, now);
    } else {
        s.entries = ring.find(s.key.blob);
        if (s.entries.empty())
            throw Refused{Refusal::unknown_key,
                          "key " + fingerprint(s.key.blob) + " is not listed"};
    }
    std::string data;
    try {
        data = sshsig_signed_data(sig.name_space, sig.hash_algorithm, request);
    } catch (const WireError& e) {
        throw Refused{Refusal::malformed, e.what()};
    }
    // Flags are judged once the user (and so the entry's options) is known.
    if (auto err = verify_signature(s.key, sig.signature, data, {false, false}, &sk_flags);
        !err.empty())
        throw Refused{Refusal::bad_signature, err};
    return s;
}

bool is_ours(const std::vector<std::string>& host_names, const std::string& host) {
    return std::any_of(host_names.begin(), host_names.end(), [&](const std::string& h) {
        return h.size() == host.size() && strncasecmp(h.c_str(), host.c_str(), h.size()) == 0;
    });
}

void check_source(const SourceRule& rule, const char* what, const config::Cidr& sender,
                  const SignedRequest& r) {
    if (!rule.admits(sender))
        throw Refused{Refusal::source_not_allowed, std::string(what) + " (" + rule.str() +
                                                       ") excludes the sender " + sender.str()};
    if (r.source && !rule.admits_network(*r.source))
        throw Refused{Refusal::source_not_allowed, std::string(what) + " (" + rule.str() +
                                                       ") does not cover the requested source " +
                                                       r.source->str()};
}

// The user a certificate signs for, into `id`; returns its source-address rule, if any.
const SourceRule* identify_by_certificate(const Signer& s, const SignedRequest& r,
                                          SignerIdentity& id, SkRequirements& sk) {
    const auto& p = s.cert->principals;
    if (!r.user.empty()) {
        if (std::find(p.begin(), p.end(), r.user) == p.end())
            throw Refused{Refusal::wrong_user, "certificate is not valid for user " + r.user};
        id.user = r.user;
    } else if (p.size() == 1) {
        id.user = p[0];
    } else {
        throw Refused{Refusal::wrong_user,
                      "certificate names several principals and the request names no user"};
    }
    if (!valid_user_name(id.user))
        throw Refused{Refusal::wrong_user, "principal is not a valid user name"};
    sk.user_verification = s.verify_required;
    id.key_type = cert_type_name(s.key.type);
    id.certificate = true;
    id.cert_key_id = s.cert->key_id;
    id.cert_serial = s.cert->serial;
    id.ca_fingerprint = fingerprint(s.cert->signature_key);
    if (s.cert->valid_before < static_cast<std::uint64_t>(INT64_MAX))
        id.valid_before = std::chrono::system_clock::time_point(
            std::chrono::seconds(static_cast<std::int64_t>(s.cert->valid_before)));
    return s.cert_source ? &*s.cert_source : nullptr;
}

// The user a listed plain key signs for, into `id`; returns its from= rule, if any.
const SourceRule* identify_by_key(const Signer& s, const SignedRequest& r, SignerIdentity& id,
                                  SkRequirements& sk) {
    const KeyEntry* entry = nullptr;
    for (const KeyEntry* e : s.entries) {
        if (!r.user.empty() && e->user != r.user) continue;
        if (entry != nullptr && entry->user != e->user)
            throw Refused{Refusal::wrong_user,
                          "key is listed for several users and the request names none"};
        if (entry == nullptr) entry = e;
    }
    if (entry == nullptr)
        throw Refused{Refusal::wrong_user, "key is not listed for user " + r.user};
    id.user = entry->user;
    id.key_type = key_type_name(s.key.type);
    id.where = entry->where;
    sk = entry->sk;
    return entry->from ? &*entry->from : nullptr;
}

void check_age(const SignedRequest& r, std::int64_t now_s, const VerifyPolicy& policy) {
    const auto age = static_cast<std::int64_t>(r.client_time) - now_s;
    if (r.client_time > static_cast<std::uint64_t>(INT64_MAX) || age > policy.max_age.count() ||
        -age > policy.max_age.count())
        throw Refused{Refusal::stale, "request time is " + std::to_string(age) +
                                          "s from ours (max_age " +
                                          std::to_string(policy.max_age.count()) + "s)"};
}

DatagramParts split_or_throw(std::string_view datagram) {
    if (datagram.size() > kMaxDatagram)
        throw Refused{Refusal::oversize, "datagram larger than 1232 bytes"};
    try {
        return split_datagram(datagram);
    } catch (const WireError& e) {
        throw Refused{Refusal::malformed, e.what()};
    }
}

// Fills `out` as it goes, so a refusal after the signature still names the signer.
void verify_or_throw(VerifyResult& out, std::string_view datagram, const Keyring& ring,
                     const std::vector<std::string>& host_names,
                     std::chrono::system_clock::time_point now, const config::Cidr& sender_in,
                     const VerifyPolicy& policy) {
    const std::int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const DatagramParts parts = split_or_throw(datagram);
    std::uint8_t sk_flags = 0;
    Signer s = check_signature(parts.sshsig, parts.request, ring, now_s, sk_flags);
    out.authenticated = true;
    out.identity.fingerprint = fingerprint(s.key.blob);

    try {
        out.request = decode_request(parts.request);
    } catch (const WireError& e) {
        throw Refused{Refusal::malformed, std::string("request: ") + e.what()};
    }
    const SignedRequest& r = out.request;
    SkRequirements sk;
    const SourceRule* rule = s.cert ? identify_by_certificate(s, r, out.identity, sk)
                                    : identify_by_key(s, r, out.identity, sk);
    if (!is_ours(host_names, r.host))
        throw Refused{Refusal::wrong_host, "signed for host '" + r.host + "', not this one"};
    if (is_security_key(s.key.type)) {
        sk.user_presence = sk.user_presence && policy.require_user_presence;
        if (auto err = check_sk_flags(sk_flags, sk); !err.empty())
            throw Refused{Refusal::bad_signature, err};
    }
    check_age(r, now_s, policy);
    const config::Cidr sender = unmapped(sender_in);
    if (rule != nullptr)
        check_source(*rule, s.cert ? "certificate source-address" : "from=", sender, r);
}

}  // namespace

const char* refusal_name(Refusal r) {
    switch (r) {
        case Refusal::none:
            return "none";
        case Refusal::oversize:
            return "oversize";
        case Refusal::malformed:
            return "malformed";
        case Refusal::wrong_namespace:
            return "wrong_namespace";
        case Refusal::unknown_key:
            return "unknown_key";
        case Refusal::bad_signature:
            return "bad_signature";
        case Refusal::certificate_invalid:
            return "certificate_invalid";
        case Refusal::certificate_expired:
            return "certificate_expired";
        case Refusal::certificate_not_yet_valid:
            return "certificate_not_yet_valid";
        case Refusal::certificate_option:
            return "certificate_option";
        case Refusal::wrong_user:
            return "wrong_user";
        case Refusal::wrong_host:
            return "wrong_host";
        case Refusal::stale:
            return "stale";
        case Refusal::source_not_allowed:
            return "source_not_allowed";
    }
    return "unknown";
}

VerifyResult verify_signed_request(std::string_view datagram, const Keyring& keyring,
                                   const std::vector<std::string>& host_names,
                                   std::chrono::system_clock::time_point now,
                                   const config::Cidr& sender, const VerifyPolicy& policy) {
    VerifyResult out;
    try {
        verify_or_throw(out, datagram, keyring, host_names, now, sender, policy);
    } catch (const Refused& r) {
        out.refusal = r.code;
        out.reason = r.reason;
    } catch (const WireError& e) {  // a parse the steps above did not expect to fail
        out.refusal = Refusal::malformed;
        out.reason = e.what();
    }
    return out;
}

}  // namespace jitd::remote::ssh
