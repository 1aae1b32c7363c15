// Replays corpus/signed_request through the fuzz invariants in every build, and checks that the
// seeds signed for the fuzz keyring are judged as they were made to be.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/fuzz/signed_request_checks.hpp"

namespace jitd::fuzz {
namespace {

namespace fs = std::filesystem;
using remote::ssh::Refusal;

std::string seed(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string named(const char* name) {
    return seed(fs::path(JITD_FUZZ_CORPUS) / name);
}

TEST(SignedRequestCorpus, EverySeedKeepsTheInvariants) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(JITD_FUZZ_CORPUS)) {
        EXPECT_EQ(check_signed_request_input(seed(entry.path())), "") << entry.path();
        ++n;
    }
    EXPECT_GE(n, 10);
    EXPECT_EQ(check_signed_request_input(""), "");
    EXPECT_EQ(check_signed_request_input(std::string(2000, '\xff')), "");
}

TEST(SignedRequestCorpus, SeedsAreJudgedAsMade) {
    for (const char* ok : {"ed25519-ok", "ecdsa-ok", "rsa-ok", "cert-ok"}) {
        const auto res = verify_with_fuzz_keyring(named(ok));
        EXPECT_TRUE(res) << ok << ": " << res.reason;
        EXPECT_EQ(res.identity.user, "alice") << ok;
    }
    EXPECT_EQ(verify_with_fuzz_keyring(named("tampered")).refusal, Refusal::bad_signature);
    EXPECT_EQ(verify_with_fuzz_keyring(named("wrong-namespace")).refusal, Refusal::wrong_namespace);
    EXPECT_EQ(verify_with_fuzz_keyring(named("wrong-host")).refusal, Refusal::wrong_host);
    EXPECT_EQ(verify_with_fuzz_keyring(named("cert-options")).refusal, Refusal::certificate_option);
    EXPECT_EQ(verify_with_fuzz_keyring(named("request-only")).refusal, Refusal::malformed);
}

}  // namespace
}  // namespace jitd::fuzz
