// sshsig blobs: parse, build, armor, and the signed-data preamble.
#include "remote/ssh/ssh_sig.hpp"

#include "remote/ssh/ssh_key.hpp"
#include "remote/ssh/ssh_wire.hpp"

namespace jitd::remote::ssh {
namespace {

constexpr std::string_view kSigBegin = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view kSigEnd = "-----END SSH SIGNATURE-----";

}  // namespace

Sshsig parse_sshsig(std::string_view blob) {
    WireReader in(blob);
    if (in.bytes(kSshsigMagic.size(), "sshsig magic") != kSshsigMagic)
        throw WireError("not an sshsig signature (magic)");
    const std::uint32_t version = in.u32("sshsig version");
    if (version != 1) throw WireError("sshsig version " + std::to_string(version) + " unsupported");
    Sshsig s;
    s.public_key = in.string("sshsig public key");
    s.name_space = in.string("sshsig namespace");
    s.reserved = in.string("sshsig reserved");
    s.hash_algorithm = in.string("sshsig hash algorithm");
    s.signature = in.string("sshsig signature");
    in.expect_end("sshsig signature");
    return s;
}

std::string sshsig_signed_data(std::string_view name_space, std::string_view hash_algorithm,
                               std::string_view message) {
    std::string h;
    if (hash_algorithm == "sha512")
        h = sha512(message);
    else if (hash_algorithm == "sha256")
        h = sha256(message);
    else
        throw WireError("sshsig hash algorithm '" + std::string(hash_algorithm.substr(0, 32)) +
                        "' unsupported");
    WireWriter w;
    w.raw(kSshsigMagic).string(name_space).string("").string(hash_algorithm).string(h);
    return w.take();
}

std::string encode_sshsig(std::string_view public_key, std::string_view name_space,
                          std::string_view hash_algorithm, std::string_view signature) {
    WireWriter w;
    w.raw(kSshsigMagic).u32(1).string(public_key).string(name_space).string("");
    w.string(hash_algorithm).string(signature);
    return w.take();
}

std::string armor_sshsig(std::string_view blob) {
    const std::string b64 = base64_encode(blob);
    std::string out(kSigBegin);
    out += '\n';
    for (std::size_t i = 0; i < b64.size(); i += 70) out += b64.substr(i, 70) + '\n';
    out += kSigEnd;
    out += '\n';
    return out;
}

std::string dearmor_sshsig(std::string_view text) {
    const auto begin = text.find(kSigBegin);
    const auto end = text.find(kSigEnd);
    if (begin == std::string_view::npos || end == std::string_view::npos || end < begin)
        throw WireError("no SSH SIGNATURE armor");
    std::string b64;
    for (char c : text.substr(begin + kSigBegin.size(), end - begin - kSigBegin.size()))
        if (c != '\n' && c != '\r') b64 += c;
    return base64_decode(b64);
}

std::string Signer::sshsig(std::string_view name_space, std::string_view message) {
    const std::string data = sshsig_signed_data(name_space, "sha512", message);
    return encode_sshsig(public_key_blob(), name_space, "sha512", sign(data));
}

std::string sign_sshsig(Signer& signer, std::string_view name_space, std::string_view message) {
    return signer.sshsig(name_space, message);
}

}  // namespace jitd::remote::ssh
