#pragma once
// A once-only set of 32-byte digests with expiry, persisted in an append-only file so a packet
// stays spent across a daemon restart and a reboot within its age window.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "agent/wire/fd.hpp"

namespace jitd::remote {

class ReplayCache {
  public:
    using Digest = std::array<unsigned char, 32>;

    // path "" = memory only. Loads the file (dropping entries older than `keep`), creating it
    // (mode 0600) when absent. Throws std::runtime_error when the file cannot be opened.
    ReplayCache(std::string path, std::chrono::seconds keep);

    // false when the digest was seen within `keep`; true after recording it (durably: the
    // record is fdatasync'ed before this returns). Throws std::runtime_error on a write error.
    bool first_use(const Digest& digest, std::chrono::system_clock::time_point now);

    std::size_t size() const;

  private:
    struct DigestHash {
        std::size_t operator()(const Digest& d) const noexcept;
    };
    void load(std::chrono::system_clock::time_point now);
    void expire(std::int64_t now_s);
    void compact();
    void append(const Digest& digest, std::int64_t seen_s);

    std::string path_;
    std::chrono::seconds keep_;
    std::unordered_map<Digest, std::int64_t, DigestHash> seen_;  // digest -> first seen (s)
    wire::Fd fd_;
    std::size_t records_in_file_ = 0;
    std::int64_t last_expire_s_ = 0;
};

}  // namespace jitd::remote
