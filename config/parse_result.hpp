// The one shape of a parse that can fail with a message: every text parser returns one.
#pragma once

#include <string>

namespace jitd::config {

template <typename T>
struct ParseResult {
    T value{};
    std::string error;  // empty on success; otherwise says what is wrong with the text
    explicit operator bool() const { return error.empty(); }
};

}  // namespace jitd::config
