// Public key blobs to libcrypto keys (OSSL_PARAM, EVP_PKEY_fromdata), and verification with
// EVP_DigestVerify. ECDSA signatures come as SSH mpints r, s and are re-encoded to DER.
#include "remote/ssh/ssh_key.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>

#include <array>

namespace jitd::remote::ssh {
namespace {

struct TypeNames {
    KeyType type;
    const char* name;
    const char* curve;  // the ECDSA curve field, else nullptr
};

constexpr std::array<TypeNames, 7> kTypes{{
    {KeyType::ed25519, "ssh-ed25519", nullptr},
    {KeyType::ecdsa_p256, "ecdsa-sha2-nistp256", "nistp256"},
    {KeyType::ecdsa_p384, "ecdsa-sha2-nistp384", "nistp384"},
    {KeyType::ecdsa_p521, "ecdsa-sha2-nistp521", "nistp521"},
    {KeyType::rsa, "ssh-rsa", nullptr},
    {KeyType::sk_ed25519, "sk-ssh-ed25519@openssh.com", nullptr},
    {KeyType::sk_ecdsa_p256, "sk-ecdsa-sha2-nistp256@openssh.com", "nistp256"},
}};

const TypeNames& names_of(KeyType t) {
    for (const auto& n : kTypes)
        if (n.type == t) return n;
    return kTypes[0];
}

Pkey ed25519_public_key(std::string_view pk) {
    if (pk.size() != 32) throw WireError("ed25519 public key is not 32 bytes");
    EVP_PKEY* p = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, u8p(pk), pk.size());
    if (p == nullptr) throw WireError("invalid ed25519 public key");
    return own_pkey(p);
}

Pkey rsa_public_key(std::string_view e, std::string_view n) {
    Bignum bn_e(BN_bin2bn(u8p(e), static_cast<int>(e.size()), nullptr));
    Bignum bn_n(BN_bin2bn(u8p(n), static_cast<int>(n.size()), nullptr));
    if (!bn_e || !bn_n) throw WireError("invalid RSA key");
    const int bits = BN_num_bits(bn_n.get());
    if (bits < kMinRsaBits)
        throw WireError("RSA key of " + std::to_string(bits) + " bits is shorter than " +
                        std::to_string(kMinRsaBits));
    if (bits > 16384) throw WireError("RSA key longer than 16384 bits");
    if (!BN_is_odd(bn_e.get()) || BN_num_bits(bn_e.get()) < 2)
        throw WireError("invalid RSA public exponent");
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
        throw WireError("out of memory");
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY* p = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &p, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        throw WireError("invalid RSA key");
    return own_pkey(p);
}

const EVP_MD* ecdsa_digest(KeyType t) {
    switch (t) {
        case KeyType::ecdsa_p384:
            return EVP_sha384();
        case KeyType::ecdsa_p521:
            return EVP_sha512();
        default:
            return EVP_sha256();
    }
}

bool digest_verify(const Pkey& key, const EVP_MD* md, std::string_view sig, std::string_view data) {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), u8p(sig), sig.size(), u8p(data), data.size()) == 1;
}

// SSH's (mpint r, mpint s) to the DER SEQUENCE libcrypto verifies.
std::string ecdsa_der(std::string_view rs) {
    WireReader in(rs);
    const auto r = in.mpint("ECDSA r");
    const auto s = in.mpint("ECDSA s");
    in.expect_end("ECDSA signature");
    Bignum br(BN_bin2bn(u8p(r), static_cast<int>(r.size()), nullptr));
    Bignum bs(BN_bin2bn(u8p(s), static_cast<int>(s.size()), nullptr));
    EcdsaSig sig(ECDSA_SIG_new());
    if (!br || !bs || !sig || ECDSA_SIG_set0(sig.get(), br.get(), bs.get()) != 1)
        throw WireError("out of memory");
    // Now owned by sig: release, not free.
    static_cast<void>(br.release());
    static_cast<void>(bs.release());
    unsigned char* der = nullptr;
    const int n = i2d_ECDSA_SIG(sig.get(), &der);
    if (n <= 0) throw WireError("invalid ECDSA signature");
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return out;
}

std::string digest(const EVP_MD* md, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) != 1)
        throw WireError("digest failed");
    return std::string(reinterpret_cast<const char*>(out), n);
}

// PROTOCOL.u2f: the authenticator signs SHA256(application) || flags || counter || SHA256(data).
std::string sk_signed_data(const PublicKey& key, std::uint8_t flags, std::uint32_t counter,
                           std::string_view data) {
    WireWriter w;
    w.raw(sha256(key.application)).u8(flags).u32(counter).raw(sha256(data));
    return w.take();
}

// ed25519 and ECDSA: the signature blob is the signature alone.
std::string verify_plain(const PublicKey& key, std::string_view sig_type, std::string_view sig,
                         WireReader& in, std::string_view data) {
    if (sig_type != key_type_name(key.type))
        return "signature type " + std::string(sig_type) + " does not match the key";
    in.expect_end("signature");
    if (key.type == KeyType::ed25519) {
        if (sig.size() != 64) return "ed25519 signature is not 64 bytes";
        return digest_verify(key.pkey, nullptr, sig, data) ? "" : "signature mismatch";
    }
    return digest_verify(key.pkey, ecdsa_digest(key.type), ecdsa_der(sig), data)
               ? ""
               : "signature mismatch";
}

std::string verify_rsa(const PublicKey& key, std::string_view sig_type, std::string_view sig,
                       WireReader& in, std::string_view data) {
    const EVP_MD* md = sig_type == "rsa-sha2-256"   ? EVP_sha256()
                       : sig_type == "rsa-sha2-512" ? EVP_sha512()
                                                    : nullptr;
    if (md == nullptr)
        return "RSA signature type " + std::string(sig_type) +
               " refused (only rsa-sha2-256 and rsa-sha2-512)";
    in.expect_end("signature");
    // OpenSSH may send a signature shorter than the modulus: left-pad it with zeros.
    const auto modulus_len = static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey.get()));
    if (sig.size() > modulus_len) return "RSA signature longer than the modulus";
    const std::string padded = std::string(modulus_len - sig.size(), '\0') + std::string(sig);
    return digest_verify(key.pkey, md, padded, data) ? "" : "signature mismatch";
}

// Security keys: the authenticator's flags and counter follow the signature, and are signed.
std::string verify_sk(const PublicKey& key, std::string_view sig_type, std::string_view sig,
                      WireReader& in, std::string_view data, const SkRequirements& sk,
                      std::uint8_t* sk_flags) {
    if (sig_type != key_type_name(key.type))
        return "signature type " + std::string(sig_type) + " does not match the key";
    const std::uint8_t flags = in.u8("security key flags");
    const std::uint32_t counter = in.u32("security key counter");
    in.expect_end("signature");
    const std::string signed_data = sk_signed_data(key, flags, counter, data);
    bool ok = false;
    if (key.type == KeyType::sk_ed25519)
        ok = sig.size() == 64 && digest_verify(key.pkey, nullptr, sig, signed_data);
    else
        ok = digest_verify(key.pkey, EVP_sha256(), ecdsa_der(sig), signed_data);
    if (!ok) return "signature mismatch";
    if (sk_flags != nullptr) *sk_flags = flags;
    return check_sk_flags(flags, sk);
}

std::string verify_or_throw(const PublicKey& key, std::string_view sig_blob, std::string_view data,
                            const SkRequirements& sk, std::uint8_t* sk_flags) {
    WireReader in(sig_blob);
    const auto sig_type = in.string("signature type");
    const auto sig = in.string("signature");
    switch (key.type) {
        case KeyType::ed25519:
        case KeyType::ecdsa_p256:
        case KeyType::ecdsa_p384:
        case KeyType::ecdsa_p521:
            return verify_plain(key, sig_type, sig, in, data);
        case KeyType::rsa:
            return verify_rsa(key, sig_type, sig, in, data);
        case KeyType::sk_ed25519:
        case KeyType::sk_ecdsa_p256:
            return verify_sk(key, sig_type, sig, in, data, sk, sk_flags);
    }
    return "unknown key type";
}

}  // namespace

const char* key_type_name(KeyType t) {
    return names_of(t).name;
}

std::string cert_type_name(KeyType t) {
    std::string n = names_of(t).name;
    const auto at = n.find('@');
    if (at == std::string::npos) return n + "-cert-v01@openssh.com";
    return n.substr(0, at) + "-cert-v01" + n.substr(at);
}

std::optional<KeyType> key_type_from_name(std::string_view name) {
    for (const auto& n : kTypes)
        if (name == n.name) return n.type;
    return std::nullopt;
}

std::optional<KeyType> cert_type_from_name(std::string_view name) {
    for (const auto& n : kTypes)
        if (name == cert_type_name(n.type)) return n.type;
    return std::nullopt;
}

bool is_security_key(KeyType t) {
    return t == KeyType::sk_ed25519 || t == KeyType::sk_ecdsa_p256;
}

const char* ec_group_name(KeyType type) {
    switch (type) {
        case KeyType::ecdsa_p384:
            return "secp384r1";
        case KeyType::ecdsa_p521:
            return "secp521r1";
        default:
            return "prime256v1";
    }
}

Pkey ec_public_key(KeyType type, std::string_view point) {
    if (point.empty() || point[0] != '\x04') throw WireError("ECDSA point is not uncompressed");
    ParamBld bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, ec_group_name(type),
                                         0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                          point.size()))
        throw WireError("out of memory");
    Params params(OSSL_PARAM_BLD_to_param(bld.get()));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
    EVP_PKEY* p = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &p, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        throw WireError("invalid ECDSA public key");
    return own_pkey(p);
}

PublicKey read_key_fields(KeyType type, WireReader& in) {
    PublicKey key;
    key.type = type;
    WireWriter blob;
    blob.string(key_type_name(type));
    switch (type) {
        case KeyType::ed25519:
        case KeyType::sk_ed25519: {
            const auto pk = in.string("ed25519 public key");
            key.pkey = ed25519_public_key(pk);
            blob.string(pk);
            break;
        }
        case KeyType::ecdsa_p256:
        case KeyType::ecdsa_p384:
        case KeyType::ecdsa_p521:
        case KeyType::sk_ecdsa_p256: {
            const auto curve = in.string("ECDSA curve");
            if (curve != names_of(type).curve)
                throw WireError("ECDSA curve " + std::string(curve) + " does not match the type");
            const auto q = in.string("ECDSA point");
            key.pkey = ec_public_key(type, q);
            blob.string(curve).string(q);
            break;
        }
        case KeyType::rsa: {
            const auto e = in.mpint("RSA e");
            const auto n = in.mpint("RSA n");
            key.pkey = rsa_public_key(e, n);
            blob.mpint(e).mpint(n);
            break;
        }
    }
    if (is_security_key(type)) {
        key.application = std::string(in.string("security key application"));
        blob.string(key.application);
    }
    key.blob = blob.take();
    return key;
}

PublicKey parse_public_key(std::string_view blob) {
    WireReader in(blob);
    const auto name = in.string("key type");
    const auto type = key_type_from_name(name);
    if (!type) {
        if (cert_type_from_name(name)) throw WireError("a certificate where a plain key belongs");
        throw WireError("unsupported key type '" + std::string(name.substr(0, 64)) + "'");
    }
    PublicKey key = read_key_fields(*type, in);
    in.expect_end("public key");
    // The blob is kept as given; it equals the rebuilt one unless mpints had extra zeros.
    if (key.blob != blob) throw WireError("public key blob is not in canonical form");
    return key;
}

std::string fingerprint(std::string_view plain_blob) {
    return "SHA256:" + base64_encode(sha256(plain_blob), false);
}

std::string sha256(std::string_view data) {
    return digest(EVP_sha256(), data);
}
std::string sha512(std::string_view data) {
    return digest(EVP_sha512(), data);
}

std::string check_sk_flags(std::uint8_t flags, const SkRequirements& sk) {
    if (sk.user_presence && !(flags & 0x01)) return "security key signature without user presence";
    if (sk.user_verification && !(flags & 0x04))
        return "security key signature without user verification (verify-required)";
    return {};
}

std::string verify_signature(const PublicKey& key, std::string_view sig_blob, std::string_view data,
                             const SkRequirements& sk, std::uint8_t* sk_flags) {
    try {
        return verify_or_throw(key, sig_blob, data, sk, sk_flags);
    } catch (const WireError& e) {
        return e.what();
    }
}

}  // namespace jitd::remote::ssh
