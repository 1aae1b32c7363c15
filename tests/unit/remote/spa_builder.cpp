#include "tests/unit/remote/spa_builder.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <stdexcept>

#include "remote/base64.hpp"

namespace jitd::remote::testing {

namespace {
constexpr std::string_view kPrefix = "U2FsdGVkX1";
struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
}  // namespace

Bytes bytes_of(std::string_view s) {
    return Bytes(s.begin(), s.end());
}

Bytes from_base64(std::string_view s) {
    auto b = base64_decode(s);
    if (!b) throw std::invalid_argument("bad base64 in test");
    return *b;
}

std::string b64(std::string_view s) {
    return base64_encode_unpadded(bytes_of(s));
}

std::string spa_body(std::string_view user, std::string_view ts, std::string_view message,
                     std::string_view type, std::optional<std::string_view> timeout,
                     std::string_view rand, std::string_view version) {
    std::string body = std::string(rand) + ":" + b64(user) + ":" + std::string(ts) + ":" +
                       std::string(version) + ":" + std::string(type) + ":" + b64(message);
    if (timeout) body += ":" + std::string(*timeout);
    return body;
}

std::string with_digest(const std::string& body, std::string_view digest) {
    const EVP_MD* md = digest == "sha512"   ? EVP_sha512()
                       : digest == "sha384" ? EVP_sha384()
                                            : EVP_sha256();
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(body.data(), body.size(), out, &len, md, nullptr);
    return body + ":" + base64_encode_unpadded(std::span(out, len));
}

std::string pkcs7(std::string plaintext) {
    const std::size_t pad = 16 - plaintext.size() % 16;
    plaintext.append(pad, static_cast<char>(pad));
    return plaintext;
}

std::string tag_wire(const Bytes& hmac_key, std::string_view body) {
    const std::string input = std::string(kPrefix) + std::string(body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), hmac_key.data(), static_cast<int>(hmac_key.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
    return std::string(body) + base64_encode_unpadded(std::span(mac, len));
}

std::string seal(const Bytes& enc_key, const Bytes& hmac_key, std::string_view padded,
                 const Salt& salt) {
    unsigned char key[32], iv[16];
    EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(), salt.data(), enc_key.data(),
                   static_cast<int>(enc_key.size()), 1, key, iv);
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    Bytes raw = bytes_of("Salted__");
    raw.insert(raw.end(), salt.begin(), salt.end());
    Bytes ct(padded.size() + 16);
    int n1 = 0, n2 = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key, iv) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
        EVP_EncryptUpdate(ctx.get(), ct.data(), &n1,
                          reinterpret_cast<const unsigned char*>(padded.data()),
                          static_cast<int>(padded.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), ct.data() + n1, &n2) != 1)
        throw std::invalid_argument("test plaintext is not a multiple of 16 bytes");
    raw.insert(raw.end(), ct.begin(), ct.begin() + n1 + n2);
    const std::string full = base64_encode_unpadded(raw);
    return tag_wire(hmac_key, std::string_view(full).substr(kPrefix.size()));
}

std::string make_packet(const Bytes& enc_key, const Bytes& hmac_key, std::string_view plaintext,
                        const Salt& salt) {
    return seal(enc_key, hmac_key, pkcs7(std::string(plaintext)), salt);
}

}  // namespace jitd::remote::testing
