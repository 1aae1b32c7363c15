// The SSH wire encoding (RFC 4251 section 5): uint8/uint32/uint64, length-prefixed strings, mpints.
// Blobs are held in std::string (bytes, not text). Readers throw WireError on malformed input.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace jitd::remote::ssh {

// Malformed input: the message says which field and why.
class WireError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class WireReader {
  public:
    explicit WireReader(std::string_view data) : rest_(data) {}
    std::uint8_t u8(const char* what);
    std::uint16_t u16(const char* what);
    std::uint32_t u32(const char* what);
    std::uint64_t u64(const char* what);
    std::string_view string(const char* what);
    std::string_view bytes(std::size_t n, const char* what);
    // A non-negative mpint; returns its magnitude without leading zero bytes.
    std::string_view mpint(const char* what);
    bool empty() const { return rest_.empty(); }
    std::string_view rest() const { return rest_; }
    // Throws unless every byte was read.
    void expect_end(const char* what) const;

  private:
    std::string_view rest_;
};

class WireWriter {
  public:
    WireWriter& u8(std::uint8_t v);
    WireWriter& u16(std::uint16_t v);
    WireWriter& u32(std::uint32_t v);
    WireWriter& u64(std::uint64_t v);
    WireWriter& string(std::string_view s);
    WireWriter& raw(std::string_view s);
    // From a big-endian magnitude (leading zeros are dropped, a zero byte added when the top
    // bit is set so the value stays positive).
    WireWriter& mpint(std::string_view magnitude);
    const std::string& data() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

std::string base64_encode(std::string_view bytes, bool pad = true);
// Strict standard alphabet with padding; throws WireError otherwise.
std::string base64_decode(std::string_view text);

}  // namespace jitd::remote::ssh
