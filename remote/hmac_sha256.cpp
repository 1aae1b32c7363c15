#include "remote/hmac_sha256.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

namespace jitd::remote {

// Not in the anonymous namespace: HmacSha256::Ctx (external linkage) holds one.
namespace hmac_detail {
struct MacCtxFree {
    void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};
}  // namespace hmac_detail
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, hmac_detail::MacCtxFree>;

namespace {

struct MacFree {
    void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};

EVP_MAC* hmac_algorithm() {
    static const std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    return mac.get();
}

}  // namespace

struct HmacSha256::Ctx {
    MacCtxPtr keyed;
};

HmacSha256::HmacSha256(std::span<const unsigned char> key)
    : ctx_(std::make_unique<Ctx>()), key_(key.begin(), key.end()) {
    EVP_MAC* alg = hmac_algorithm();
    if (!alg) throw std::runtime_error("libcrypto has no HMAC");
    ctx_->keyed.reset(EVP_MAC_CTX_new(alg));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    // A zero-length key is legal HMAC; give init a valid pointer all the same.
    static const unsigned char kEmpty = 0;
    if (!ctx_->keyed || EVP_MAC_init(ctx_->keyed.get(), key.empty() ? &kEmpty : key.data(),
                                     key.size(), params) != 1)
        throw std::runtime_error("cannot key HMAC-SHA256");
}

HmacSha256::~HmacSha256() {
    if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
}

bool HmacSha256::mac(std::string_view data, Tag& out) const {
    MacCtxPtr c(EVP_MAC_CTX_dup(ctx_->keyed.get()));
    std::size_t len = 0;
    return c &&
           EVP_MAC_update(c.get(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1 &&
           EVP_MAC_final(c.get(), out.data(), &len, out.size()) == 1 && len == out.size();
}

bool HmacSha256::made_from(std::span<const unsigned char> key) const {
    return key.size() == key_.size() && CRYPTO_memcmp(key.data(), key_.data(), key_.size()) == 0;
}

}  // namespace jitd::remote
