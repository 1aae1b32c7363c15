// Grant ids: "g-" + 12 lower-case hex digits from the kernel's random pool (unguessable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jitd::agent {

inline constexpr std::size_t kGrantIdHexDigits = 12;

std::string new_grant_id();
bool is_grant_id(std::string_view s);
// The 48 random bits of a well-formed id (cheap to hash and compare), nullopt otherwise.
std::optional<std::uint64_t> grant_id_bits(std::string_view s);

}  // namespace jitd::agent
