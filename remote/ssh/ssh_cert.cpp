// Certificate blob parsing and the CA signature check.
#include "remote/ssh/ssh_cert.hpp"

namespace jitd::remote::ssh {
namespace {

// Options and extensions: a packed list of (string name, string data), names strictly ascending
// and unique (PROTOCOL.certkeys requires the order; duplicates would make "which one" ambiguous).
std::vector<std::pair<std::string, std::string>> read_options(std::string_view packed, bool unwrap,
                                                              const char* what) {
    std::vector<std::pair<std::string, std::string>> out;
    WireReader in(packed);
    while (!in.empty()) {
        std::string name(in.string(what));
        const auto data = in.string(what);
        std::string value;
        if (unwrap && !data.empty()) {
            WireReader inner(data);
            value = std::string(inner.string(what));
            inner.expect_end(what);
        }
        if (!out.empty() && out.back().first >= name)
            throw WireError(std::string(what) + " out of order or repeated: " + name.substr(0, 64));
        out.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

}  // namespace

bool is_certificate_blob(std::string_view blob) {
    try {
        WireReader in(blob);
        return cert_type_from_name(in.string("key type")).has_value();
    } catch (const WireError&) {
        return false;
    }
}

Certificate parse_certificate(std::string_view blob) {
    WireReader in(blob);
    const auto name = in.string("certificate type");
    const auto type = cert_type_from_name(name);
    if (!type) throw WireError("not a supported certificate type");
    in.string("certificate nonce");
    Certificate c;
    c.key = read_key_fields(*type, in);
    c.serial = in.u64("certificate serial");
    c.cert_type = in.u32("certificate type");
    c.key_id = std::string(in.string("certificate key id"));
    WireReader principals(in.string("certificate principals"));
    while (!principals.empty())
        c.principals.emplace_back(principals.string("certificate principal"));
    c.valid_after = in.u64("certificate valid after");
    c.valid_before = in.u64("certificate valid before");
    c.critical_options = read_options(in.string("critical options"), true, "critical option");
    for (auto& [ext, data] : read_options(in.string("extensions"), false, "extension"))
        c.extensions.push_back(std::move(ext));
    in.string("certificate reserved");
    c.signature_key = std::string(in.string("certificate signature key"));
    c.signed_part = std::string(blob.substr(0, blob.size() - in.rest().size()));
    c.signature = std::string(in.string("certificate signature"));
    in.expect_end("certificate");
    return c;
}

std::string verify_certificate_signature(const Certificate& cert, const PublicKey& ca) {
    if (cert.signature_key != ca.blob) return "signed by another CA";
    return verify_signature(ca, cert.signature, cert.signed_part);
}

}  // namespace jitd::remote::ssh
