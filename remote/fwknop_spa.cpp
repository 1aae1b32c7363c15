// The receive side of fwknop SPA, in the order that keeps unauthenticated work small and fixed:
// length, alphabet, prefix, one HMAC per key; only an authenticated packet is decrypted.
#include "remote/fwknop_spa.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>

#include "remote/base64.hpp"
#include "remote/hmac_sha256.hpp"
#include "remote/spa_fields.hpp"

namespace jitd::remote {

namespace {

// base64("Salted__") without its last two characters: the client strips these ten characters
// from the wire and the HMAC covers them, so the receiver puts them back.
constexpr std::string_view kSaltedPrefix = "U2FsdGVkX1";
constexpr std::size_t kTagChars = 43;     // unpadded base64 of an HMAC-SHA256 tag
constexpr std::size_t kHeaderBytes = 16;  // "Salted__" + salt
constexpr std::size_t kAesBlock = 16;

struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// HMAC-SHA256 over `mac_input`, compared in constant time with the tag the packet carries.
bool tag_matches(const FwknopKey& key, std::string_view mac_input, const HmacSha256::Tag& tag) {
    HmacSha256::Tag mac{};
    bool ok = false;
    if (key.hmac_prepared && key.hmac_prepared->made_from(key.hmac)) {
        ok = key.hmac_prepared->mac(mac_input, mac);
    } else if (!key.hmac.empty()) {
        unsigned int len = 0;
        ok = HMAC(EVP_sha256(), key.hmac.data(), static_cast<int>(key.hmac.size()),
                  reinterpret_cast<const unsigned char*>(mac_input.data()), mac_input.size(),
                  mac.data(), &len) != nullptr &&
             len == mac.size();
    }
    return ok && CRYPTO_memcmp(mac.data(), tag.data(), tag.size()) == 0;
}

// "Salted__" | salt | AES-256-CBC(plaintext | PKCS#7); key and IV from EVP_BytesToKey(MD5, 1).
std::optional<SpaRefusal> decrypt(const std::vector<unsigned char>& raw,
                                  const std::vector<unsigned char>& passphrase,
                                  std::string& plaintext) {
    static constexpr std::string_view kMagic = "Salted__";
    if (raw.size() < kHeaderBytes + kAesBlock || (raw.size() - kHeaderBytes) % kAesBlock != 0 ||
        !std::equal(kMagic.begin(), kMagic.end(), raw.begin()))
        return SpaRefusal::bad_ciphertext;
    unsigned char key[32];
    unsigned char iv[16];
    if (EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(), raw.data() + kMagic.size(), passphrase.data(),
                       static_cast<int>(passphrase.size()), 1, key,
                       iv) != static_cast<int>(sizeof key))
        return SpaRefusal::bad_ciphertext;
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    const std::size_t ct_len = raw.size() - kHeaderBytes;
    std::vector<unsigned char> out(ct_len + kAesBlock);
    int n1 = 0;
    int n2 = 0;
    const bool ok = ctx &&
                    EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key, iv) == 1 &&
                    EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), out.data(), &n1, raw.data() + kHeaderBytes,
                                      static_cast<int>(ct_len)) == 1 &&
                    EVP_DecryptFinal_ex(ctx.get(), out.data() + n1, &n2) == 1;
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(iv, sizeof iv);
    if (!ok) return SpaRefusal::bad_ciphertext;
    out.resize(static_cast<std::size_t>(n1) + static_cast<std::size_t>(n2));
    // Strict PKCS#7: 1..16 bytes, all equal to their count (fwknop itself is lenient here).
    const unsigned pad = out.empty() ? 0 : out.back();
    if (pad == 0 || pad > kAesBlock || pad > out.size() ||
        !std::all_of(out.end() - pad, out.end(), [pad](unsigned char b) { return b == pad; }))
        return SpaRefusal::bad_padding;
    plaintext.assign(out.begin(), out.end() - pad);
    OPENSSL_cleanse(out.data(), out.size());
    return std::nullopt;
}

SpaDecode refused_decode(SpaRefusal r) {
    SpaDecode d;
    d.refusal = r;
    return d;
}

}  // namespace

std::string_view to_string(SpaRefusal r) {
    switch (r) {
        case SpaRefusal::too_short:
            return "too_short";
        case SpaRefusal::too_long:
            return "too_long";
        case SpaRefusal::bad_alphabet:
            return "bad_alphabet";
        case SpaRefusal::salted_prefix:
            return "salted_prefix";
        case SpaRefusal::no_key_matched:
            return "no_key_matched";
        case SpaRefusal::bad_ciphertext:
            return "bad_ciphertext";
        case SpaRefusal::bad_padding:
            return "bad_padding";
        case SpaRefusal::bad_digest:
            return "bad_digest";
        case SpaRefusal::malformed:
            return "malformed";
        case SpaRefusal::unsupported_type:
            return "unsupported_type";
    }
    return "unknown";
}

SpaDecode decode_spa(std::string_view payload, std::span<const FwknopKey> keys) {
    if (payload.size() < kSpaMinPayload) return refused_decode(SpaRefusal::too_short);
    if (payload.size() > kSpaMaxPayload) return refused_decode(SpaRefusal::too_long);
    if (!std::all_of(payload.begin(), payload.end(), is_base64_char))
        return refused_decode(SpaRefusal::bad_alphabet);
    // A packet that carries the prefix itself would authenticate under a second replay digest.
    if (payload.starts_with(kSaltedPrefix)) return refused_decode(SpaRefusal::salted_prefix);

    const std::string_view tag = payload.substr(payload.size() - kTagChars);
    std::string ct_b64;
    ct_b64.reserve(kSaltedPrefix.size() + payload.size());
    ct_b64.append(kSaltedPrefix).append(payload.substr(0, payload.size() - kTagChars));

    // The tag as bytes, once; text that is not the canonical base64 of 32 bytes matches no key.
    const auto tag_bytes = base64_decode(tag);
    if (!tag_bytes || tag_bytes->size() != 32) return refused_decode(SpaRefusal::no_key_matched);
    HmacSha256::Tag want{};
    std::copy(tag_bytes->begin(), tag_bytes->end(), want.begin());

    SpaDecode d;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (tag_matches(keys[i], ct_b64, want)) {
            d.authenticated = true;
            d.key_index = i;
            break;
        }
    }
    if (!d.authenticated) return refused_decode(SpaRefusal::no_key_matched);
    SHA256(reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
           d.replay_digest.data());

    const auto raw = base64_decode(ct_b64);
    std::string plaintext;
    std::optional<SpaRefusal> bad =
        raw ? decrypt(*raw, keys[d.key_index].encryption, plaintext) : SpaRefusal::bad_ciphertext;
    if (!bad) {
        SpaDecode parsed = parse_spa_plaintext(plaintext);
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        d.message = std::move(parsed.message);
        d.refusal = parsed.refusal;
        if (d.message) d.message->key_index = d.key_index;
    } else {
        d.refusal = bad;
    }
    return d;
}

SpaDecode parse_spa_plaintext(std::string_view plaintext) {
    SpaDecode d;
    auto fields = parse_spa_fields(plaintext);
    if (fields.refusal) {
        d.refusal = fields.refusal;
    } else {
        d.message = std::move(fields.message);
    }
    return d;
}

}  // namespace jitd::remote
