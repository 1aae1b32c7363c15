// authorized_keys lines: which options jitd honours, which it refuses, with FILE:LINE.
#include <gtest/gtest.h>

#include "remote/ssh/ssh_keyring.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::remote::ssh {
namespace {

using namespace test;

struct Loaded {
    Keyring ring;
    LoadErrors errors;
};

Loaded load(const std::string& text) {
    Loaded l;
    add_authorized_keys(l.ring, "alice", text, "alice.pub", l.errors);
    return l;
}

TEST(Keyring, ReadsKeysCommentsAndHonouredOptions) {
    const std::string key = public_line(keys().ed25519);
    const auto l = load("# comment\n\n" + key + "\n" +
                        "restrict,no-pty,from=\"192.0.2.0/24,!192.0.2.1\" " + key + "\n" +
                        "no-touch-required,verify-required " + public_line(keys().rsa3072) + "\n");
    ASSERT_TRUE(l.errors.empty()) << l.errors[0];
    ASSERT_EQ(l.ring.keys.size(), 3u);
    EXPECT_EQ(l.ring.keys[0].where, "alice.pub:3");
    EXPECT_FALSE(l.ring.keys[0].from);
    ASSERT_TRUE(l.ring.keys[1].from);
    EXPECT_EQ(l.ring.keys[1].from->str(), "192.0.2.0/24,!192.0.2.1");
    EXPECT_FALSE(l.ring.keys[2].sk.user_presence);
    EXPECT_TRUE(l.ring.keys[2].sk.user_verification);
    EXPECT_EQ(l.ring.find(l.ring.keys[0].key.blob).size(), 2u);
}

TEST(Keyring, RefusesUnknownOptionsAndHostNamesWithFileAndLine) {
    const std::string key = public_line(keys().ed25519);
    const auto l = load(key + "\n" + "frobnicate " + key + "\n" + "command=\"ls\" " + key + "\n" +
                        "from=\"*.example.com\" " + key + "\n" + "from=\"gw.example.com\" " + key +
                        "\n" + "ssh-ed25519 AAAAnotbase64!\n" + "cert-authority " + key + "\n");
    EXPECT_EQ(l.ring.keys.size(), 1u);
    ASSERT_EQ(l.errors.size(), 6u);
    EXPECT_NE(l.errors[0].find("alice.pub:2: unknown option 'frobnicate'"), std::string::npos)
        << l.errors[0];
    EXPECT_NE(l.errors[1].find("alice.pub:3: command="), std::string::npos) << l.errors[1];
    EXPECT_NE(l.errors[2].find("alice.pub:4: from=: wildcard"), std::string::npos) << l.errors[2];
    EXPECT_NE(l.errors[3].find("alice.pub:5: from=: "), std::string::npos) << l.errors[3];
    EXPECT_NE(l.errors[3].find("host names"), std::string::npos) << l.errors[3];
    EXPECT_NE(l.errors[4].find("alice.pub:6: bad key"), std::string::npos) << l.errors[4];
    EXPECT_NE(l.errors[5].find("alice.pub:7: cert-authority"), std::string::npos) << l.errors[5];
}

TEST(Keyring, RefusesMalformedOptionSyntax) {
    const std::string key = public_line(keys().ed25519);
    for (const std::string& opts :
         {"from=\"192.0.2.1 " + key, "from=192.0.2.1 " + key, "no-pty, " + key,
          "no-pty=\"x\" " + key, "from=\"192.0.2.1\",from=\"192.0.2.2\" " + key}) {
        const auto l = load(opts + "\n");
        EXPECT_EQ(l.ring.keys.size(), 0u) << opts;
        EXPECT_EQ(l.errors.size(), 1u) << opts;
    }
}

TEST(Keyring, LoadsADirectoryOfUserFilesAndTheCaFile) {
    TempDir dir;
    write_file(dir.file("alice.pub"), public_line(keys().ed25519) + "\n");
    write_file(dir.file("bob.pub"), public_line(keys().ecdsa256) + "\nbad line\n");
    write_file(dir.file("alice.fwknop"), "KEY_BASE64: not ours\n");
    TempDir etc;
    write_file(etc.file("user_ca.pub"), public_line(keys().ca) + "\n");
    const auto l = load_keyring(dir.path(), etc.path() / "user_ca.pub");
    ASSERT_EQ(l.keyring.keys.size(), 2u);
    EXPECT_EQ(l.keyring.keys[0].user, "alice");
    EXPECT_EQ(l.keyring.keys[1].user, "bob");
    EXPECT_EQ(l.keyring.user_cas.size(), 1u);
    ASSERT_EQ(l.errors.size(), 1u);
    EXPECT_NE(l.errors[0].find("bob.pub:2:"), std::string::npos) << l.errors[0];
}

}  // namespace
}  // namespace jitd::remote::ssh
