// jit-request keys add USER --pub FILE and keys list with SSH keys, on a scratch directory, with
// keys made by ssh-keygen.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/client/exit_codes.hpp"
#include "remote/ssh/ssh_keyring.hpp"
#include "tests/unit/client/cli_runner.hpp"
#include "tests/unit/remote_ssh/ssh_fixture.hpp"

namespace jitd::remote::ssh {
namespace {

using client::testing::cli;

class KeysPub : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "keys add makes root-owned files";
    }
    test::TempDir tmp;
    std::string dir = tmp.file("keys");
};

TEST_F(KeysPub, AddChecksAndAppendsKeysThatTheDaemonLoads) {
    const auto& k = test::keys();
    const std::string pub = tmp.file("mine.pub");
    test::write_file(pub, "# my keys\nfrom=\"192.0.2.0/24\" " + test::public_line(k.ed25519) +
                              "\n\n" + test::public_line(k.ecdsa256) + "\n");
    auto r = cli({"keys", "add", "alice", "--pub", pub, "--dir", dir});
    ASSERT_EQ(r.code, client::kExitOk) << r.err;
    EXPECT_NE(r.out.find("alice ssh-ed25519 SHA256:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("from=\"192.0.2.0/24\""), std::string::npos) << r.out;
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/alice.pub").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(st.st_uid, 0u);
    // Again with one more key: appended, the others not repeated.
    test::write_file(pub, test::public_line(k.ed25519) + "\n" + test::public_line(k.rsa3072));
    r = cli({"keys", "add", "alice", "--pub", pub, "--dir", dir});
    ASSERT_EQ(r.code, client::kExitOk) << r.err;
    EXPECT_NE(r.err.find("1 key added (1 already there)"), std::string::npos) << r.err;
    const auto load = load_keyring(dir, std::nullopt);
    ASSERT_TRUE(load.errors.empty()) << load.errors.front();
    EXPECT_EQ(load.keyring.keys.size(), 3u);

    r = cli({"keys", "list", "--dir", dir});
    EXPECT_EQ(r.code, client::kExitOk) << r.err;
    EXPECT_NE(r.out.find("ssh ssh-ed25519"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ssh ssh-rsa"), std::string::npos) << r.out;
}

TEST_F(KeysPub, UnknownOptionsCommandAndCaLinesAreRefusedAndNothingIsWritten) {
    const std::string line = test::public_line(test::keys().ed25519);
    for (const std::string& bad :
         {"frobnicate " + line, "command=\"/bin/true\" " + line, "cert-authority " + line,
          std::string("ssh-ed25519 AAAAnotbase64")}) {
        const std::string pub = tmp.file("bad.pub");
        test::write_file(pub, bad + "\n");
        const auto r = cli({"keys", "add", "bob", "--pub", pub, "--dir", dir});
        EXPECT_EQ(r.code, client::kExitRefused) << bad << "\n" << r.err;
        EXPECT_NE(r.err.find("bad.pub:1:"), std::string::npos) << r.err;
        struct stat st {};
        EXPECT_NE(::stat((dir + "/bob.pub").c_str(), &st), 0);
    }
    EXPECT_EQ(cli({"keys", "add", "bob", "--fwknop", "--pub", "x", "--dir", dir}).code,
              client::kExitUsage);
}

TEST_F(KeysPub, ListShowsTheUserCaAndRefusedLines) {
    const auto& k = test::keys();
    test::write_file(tmp.file("ca.pub"), test::public_line(k.ca) + "\n");
    ::mkdir(dir.c_str(), 0750);
    test::write_file(dir + "/carol.pub", "frobnicate " + test::public_line(k.ed25519) + "\n");
    const auto r = cli({"keys", "list", "--dir", dir, "--user-ca", tmp.file("ca.pub")});
    EXPECT_EQ(r.code, client::kExitRefused);
    EXPECT_NE(r.out.find("(user CA)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("refused:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("carol"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace jitd::remote::ssh
