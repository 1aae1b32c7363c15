#pragma once
// HMAC-SHA256 with the key schedule done once: each mac() starts from a copy of the keyed
// state, so trying a packet against many users' keys costs only the hashing of the packet.

#include <array>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace jitd::remote {

class HmacSha256 {
  public:
    using Tag = std::array<unsigned char, 32>;
    // Throws std::runtime_error when libcrypto has no HMAC-SHA256.
    explicit HmacSha256(std::span<const unsigned char> key);
    ~HmacSha256();
    HmacSha256(const HmacSha256&) = delete;
    HmacSha256& operator=(const HmacSha256&) = delete;

    // false only on a libcrypto failure.
    bool mac(std::string_view data, Tag& out) const;
    // Whether this state was made from `key` (constant time).
    bool made_from(std::span<const unsigned char> key) const;

  private:
    struct Ctx;
    std::unique_ptr<Ctx> ctx_;
    std::vector<unsigned char> key_;
};

}  // namespace jitd::remote
