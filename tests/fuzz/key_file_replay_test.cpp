// Replays corpus/key_file through the fuzz invariants in every build, and checks that the seeds
// (keys made by ssh-keygen, one with the passphrase "secret", and its armored signature) are
// read as what they are.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "remote/ssh/ssh_private_key.hpp"
#include "remote/ssh/ssh_sig.hpp"
#include "tests/fuzz/key_file_checks.hpp"

namespace jitd::fuzz {
namespace {

namespace fs = std::filesystem;
namespace ssh = remote::ssh;

std::string named(const char* name) {
    std::ifstream in(fs::path(JITD_FUZZ_CORPUS) / name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(KeyFileCorpus, EverySeedKeepsTheInvariants) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(JITD_FUZZ_CORPUS)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        EXPECT_EQ(check_key_file_input(s.str()), "") << entry.path();
        ++n;
    }
    EXPECT_GE(n, 8);
    EXPECT_EQ(check_key_file_input(""), "");
    EXPECT_EQ(check_key_file_input(std::string(2000, '\xff')), "");
}

TEST(KeyFileCorpus, SeedsAreReadAsMade) {
    for (const char* plain : {"ed25519-plain", "ecdsa-plain", "rsa-plain"}) {
        EXPECT_FALSE(ssh::read_key_file_header(named(plain), plain).encrypted) << plain;
        EXPECT_NO_THROW(ssh::KeyFileSigner::from_text(named(plain), plain)) << plain;
    }
    const auto locked = ssh::read_key_file_header(named("ed25519-encrypted"), "locked");
    EXPECT_TRUE(locked.encrypted);
    EXPECT_EQ(locked.public_key.type, ssh::KeyType::ed25519);
    EXPECT_THROW(ssh::KeyFileSigner::from_text(named("ed25519-encrypted"), "locked"),
                 ssh::WireError);
    EXPECT_THROW(ssh::read_key_file_header(named("truncated"), "truncated"), ssh::WireError);
    EXPECT_THROW(ssh::read_key_file_header(named("rsa-1024"), "short"), ssh::WireError);
    EXPECT_THROW(ssh::read_key_file_header(named("public-key-file"), "pub"), ssh::WireError);
    const std::string blob = ssh::dearmor_sshsig(named("sshsig-armored"));
    const auto sig = ssh::parse_sshsig(blob);  // views into blob
    EXPECT_EQ(sig.name_space, "jitd");
    EXPECT_EQ(sig.public_key,
              ssh::read_key_file_header(named("ed25519-plain"), "k").public_key.blob);
}

}  // namespace
}  // namespace jitd::fuzz
