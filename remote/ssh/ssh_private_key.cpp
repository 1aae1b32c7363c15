// openssh-key-v1 parsing into libcrypto private keys, and SSH signature blobs from EVP_DigestSign.
#include "remote/ssh/ssh_private_key.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "remote/ssh/ssh_wire.hpp"

namespace jitd::remote::ssh {
namespace {

constexpr std::string_view kKeyBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr std::string_view kKeyEnd = "-----END OPENSSH PRIVATE KEY-----";
constexpr std::string_view kAuthMagic{"openssh-key-v1\0", 15};

// Wipes the decoded key material when it goes out of scope.
struct Secret {
    std::string bytes;
    ~Secret() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

Bignum bn(std::string_view magnitude) {
    Bignum b(BN_bin2bn(u8p(magnitude), static_cast<int>(magnitude.size()), nullptr));
    if (!b) throw WireError("out of memory");
    return b;
}

Pkey from_params(const char* algorithm, OSSL_PARAM_BLD* bld) {
    Params params(OSSL_PARAM_BLD_to_param(bld));
    PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
    EVP_PKEY* p = nullptr;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
        EVP_PKEY_fromdata(ctx.get(), &p, EVP_PKEY_KEYPAIR, params.get()) != 1)
        throw WireError(std::string("invalid ") + algorithm + " private key");
    return own_pkey(p);
}

Pkey read_private(KeyType type, WireReader& in) {
    switch (type) {
        case KeyType::ed25519: {
            in.string("ed25519 public key");
            const auto sk = in.string("ed25519 private key");
            if (sk.size() != 64) throw WireError("ed25519 private key is not 64 bytes");
            EVP_PKEY* p = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, u8p(sk), 32);
            if (p == nullptr) throw WireError("invalid ed25519 private key");
            return own_pkey(p);
        }
        case KeyType::ecdsa_p256:
        case KeyType::ecdsa_p384:
        case KeyType::ecdsa_p521: {
            in.string("ECDSA curve");
            const auto q = in.string("ECDSA point");
            const Bignum d = bn(in.mpint("ECDSA private key"));
            ParamBld bld(OSSL_PARAM_BLD_new());
            if (!bld ||
                !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                                 ec_group_name(type), 0) ||
                !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, q.data(),
                                                  q.size()) ||
                !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()))
                throw WireError("out of memory");
            return from_params("EC", bld.get());
        }
        case KeyType::rsa: {
            const Bignum n = bn(in.mpint("RSA n"));
            const Bignum e = bn(in.mpint("RSA e"));
            const Bignum d = bn(in.mpint("RSA d"));
            in.mpint("RSA iqmp");
            in.mpint("RSA p");
            in.mpint("RSA q");
            ParamBld bld(OSSL_PARAM_BLD_new());
            if (!bld || !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) ||
                !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) ||
                !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get()))
                throw WireError("out of memory");
            return from_params("RSA", bld.get());
        }
        default:
            throw WireError(std::string(key_type_name(type)) +
                            " key files are signed by ssh-keygen, not here");
    }
}

std::string digest_sign(const Pkey& key, const EVP_MD* md, std::string_view data) {
    MdCtx ctx(EVP_MD_CTX_new());
    std::size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, u8p(data), data.size()) != 1)
        throw WireError("signing failed");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, u8p(data),
                       data.size()) != 1)
        throw WireError("signing failed");
    sig.resize(len);
    return sig;
}

// DER ECDSA-Sig-Value to SSH's string(mpint r || mpint s).
std::string ecdsa_ssh(std::string_view der) {
    const unsigned char* p = u8p(der);
    EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) throw WireError("signing produced no ECDSA signature");
    auto magnitude = [](const BIGNUM* b) {
        std::string out(static_cast<std::size_t>(BN_num_bytes(b)), '\0');
        BN_bn2bin(b, reinterpret_cast<unsigned char*>(out.data()));
        return out;
    };
    WireWriter w;
    w.mpint(magnitude(ECDSA_SIG_get0_r(sig.get()))).mpint(magnitude(ECDSA_SIG_get0_s(sig.get())));
    return w.take();
}

// The decoded openssh-key-v1 blob of an armored file.
Secret decode_key_text(std::string_view text, const std::string& label) {
    const auto begin = text.find(kKeyBegin);
    const auto end = text.find(kKeyEnd);
    if (begin == std::string_view::npos || end == std::string_view::npos || end < begin)
        throw WireError(label + ": not an OpenSSH private key (ssh-keygen's default format)");
    std::string b64;
    for (char c : text.substr(begin + kKeyBegin.size(), end - begin - kKeyBegin.size()))
        if (c != '\n' && c != '\r' && c != ' ') b64 += c;
    const Secret armored{std::move(b64)};
    return Secret{base64_decode(armored.bytes)};
}

// Reads up to and including the (unencrypted) public key; returns the cipher name.
std::string_view read_head(WireReader& in, PublicKey& public_key, const std::string& label) {
    if (in.bytes(kAuthMagic.size(), "key magic") != kAuthMagic)
        throw WireError(label + ": not an openssh-key-v1 file");
    const auto cipher = in.string("cipher name");
    in.string("kdf name");
    in.string("kdf options");
    if (in.u32("key count") != 1) throw WireError(label + ": more than one key in the file");
    public_key = parse_public_key(in.string("public key"));
    return cipher;
}

Secret read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw WireError(path + ": cannot be read");
    std::ostringstream s;
    s << in.rdbuf();
    return Secret{s.str()};
}

}  // namespace

KeyFileHeader read_key_file_header(std::string_view text, const std::string& label) {
    const Secret blob = decode_key_text(text, label);
    WireReader in(blob.bytes);
    KeyFileHeader header;
    header.encrypted = read_head(in, header.public_key, label) != "none";
    return header;
}

KeyFileHeader read_key_file_header(const std::string& path) {
    const Secret text = read_text(path);
    return read_key_file_header(text.bytes, path);
}

std::unique_ptr<KeyFileSigner> KeyFileSigner::from_text(std::string_view text, std::string label) {
    const Secret blob = decode_key_text(text, label);
    WireReader in(blob.bytes);
    auto signer = std::unique_ptr<KeyFileSigner>(new KeyFileSigner());
    if (read_head(in, signer->public_, label) != "none")
        throw WireError(label +
                        ": the key is passphrase-protected, which only ssh-keygen (jit-request "
                        "--key runs it) or ssh-agent (ssh-add) can open");
    signer->label_ = std::move(label);
    WireReader priv(in.string("private keys"));
    if (priv.u32("check") != priv.u32("check"))
        throw WireError(signer->label_ + ": damaged private key (check numbers differ)");
    const auto type = key_type_from_name(priv.string("key type"));
    if (!type || *type != signer->public_.type)
        throw WireError(signer->label_ + ": private key type does not match its public key");
    signer->private_ = read_private(*type, priv);
    return signer;
}

std::unique_ptr<KeyFileSigner> KeyFileSigner::from_file(const std::string& path) {
    const Secret text = read_text(path);
    return from_text(text.bytes, path);
}

std::string KeyFileSigner::sign(std::string_view data) {
    WireWriter w;
    switch (public_.type) {
        case KeyType::ed25519:
            w.string("ssh-ed25519").string(digest_sign(private_, nullptr, data));
            break;
        case KeyType::ecdsa_p256:
            w.string(key_type_name(public_.type))
                .string(ecdsa_ssh(digest_sign(private_, EVP_sha256(), data)));
            break;
        case KeyType::ecdsa_p384:
            w.string(key_type_name(public_.type))
                .string(ecdsa_ssh(digest_sign(private_, EVP_sha384(), data)));
            break;
        case KeyType::ecdsa_p521:
            w.string(key_type_name(public_.type))
                .string(ecdsa_ssh(digest_sign(private_, EVP_sha512(), data)));
            break;
        case KeyType::rsa:
            w.string("rsa-sha2-512").string(digest_sign(private_, EVP_sha512(), data));
            break;
        default:
            throw WireError("cannot sign with " + std::string(key_type_name(public_.type)));
    }
    return w.take();
}

}  // namespace jitd::remote::ssh
