// Test helper: the PolicyError a policy text is refused with.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/policy_loader.hpp"

namespace jitd::config::testing {

// The error parse_policy throws for `yaml` (origin "policy.yaml"). An accepted policy yields an
// error at -1:-1 that no expectation matches, so the test fails and says why.
inline PolicyError refusal(std::string_view yaml) {
    try {
        parse_policy(yaml, "policy.yaml");
    } catch (const PolicyError& e) {
        return e;
    }
    return PolicyError("policy.yaml", -1, -1, "(accepted, but a refusal was expected)");
}

// Asserts the refusal's line, column and a fragment of its message, and the what() shape.
inline void expect_refusal(std::string_view yaml, int line, int column, std::string_view fragment) {
    const PolicyError e = refusal(yaml);
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos)
        << "message: " << e.message() << "\nexpected fragment: " << fragment;
    const std::string prefix =
        "policy.yaml:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
    EXPECT_EQ(std::string(e.what()), prefix + e.message());
}

}  // namespace jitd::config::testing

// SCOPED_TRACE names the failing case's own line, not the helper's.
#define EXPECT_REFUSAL(yaml, line, column, fragment)                           \
    do {                                                                       \
        SCOPED_TRACE(yaml);                                                    \
        ::jitd::config::testing::expect_refusal(yaml, line, column, fragment); \
    } while (0)
