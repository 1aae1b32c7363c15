// jit-request keys add|list, run in-process on a scratch directory; and the printed stanza
// fed to the real fwknop client, whose packet must verify against the written key file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "remote/fwknop_keys.hpp"
#include "remote/fwknop_spa.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/client/cli_runner.hpp"
#include "tests/unit/remote/temp_dir.hpp"

namespace jitd::remote {
namespace {

using client::testing::cli;
using testing::TempDir;

class KeysCommand : public ::testing::Test {
  protected:
    void SetUp() override {
        // keys add makes the file root-owned, which needs root.
        if (!test::is_root()) GTEST_SKIP() << "keys add needs root";
    }
    TempDir tmp;
    std::string dir = tmp.file("keys");
};

TEST_F(KeysCommand, AddWritesARestrictedKeyFileThatLoads) {
    const auto r = cli({"keys", "add", "alice", "--fwknop", "--dir", dir, "--server", "bastion-7"});
    ASSERT_EQ(r.code, 0) << r.err;
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/alice.fwknop").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(st.st_uid, 0u);
    const auto load = load_fwknop_keys(dir, st.st_gid);
    ASSERT_TRUE(load.errors.empty()) << load.errors[0];
    ASSERT_EQ(load.keys.size(), 1u);
    EXPECT_EQ(load.keys[0].encryption.size(), 32u);
    EXPECT_EQ(load.keys[0].hmac.size(), 64u);
    // The stanza on stdout carries the same keys; the note goes to stderr.
    EXPECT_NE(r.out.find("[bastion-7]\nSPA_SERVER          bastion-7\n"), std::string::npos);
    EXPECT_NE(r.out.find("USE_HMAC            Y\n"), std::string::npos);
    EXPECT_NE(r.out.find("ACCESS              tcp/22\n"), std::string::npos);
    const std::string text = test::read_file(dir + "/alice.fwknop");
    const std::string enc = text.substr(text.find("key_base64: ") + 12, 44);
    EXPECT_NE(r.out.find("KEY_BASE64          " + enc + "\n"), std::string::npos);
    EXPECT_NE(r.err.find("wrote " + dir + "/alice.fwknop"), std::string::npos);
    // No temporary file left behind.
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
}

TEST_F(KeysCommand, RefusesToOverwriteWithoutForce) {
    ASSERT_EQ(cli({"keys", "add", "alice", "--fwknop", "--dir", dir}).code, 0);
    const std::string before = test::read_file(dir + "/alice.fwknop");
    const auto again = cli({"keys", "add", "alice", "--fwknop", "--dir", dir});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find("exists; --force replaces it"), std::string::npos);
    EXPECT_EQ(again.out, "");
    EXPECT_EQ(test::read_file(dir + "/alice.fwknop"), before);
    ASSERT_EQ(cli({"keys", "add", "alice", "--fwknop", "--dir", dir, "--force"}).code, 0);
    EXPECT_NE(test::read_file(dir + "/alice.fwknop"), before);
}

TEST_F(KeysCommand, UsageErrors) {
    EXPECT_EQ(cli({"keys", "add", "alice", "--dir", dir}).code, 64);  // no kind
    EXPECT_EQ(cli({"keys", "add", "../etc", "--fwknop", "--dir", dir}).code, 64);
    EXPECT_EQ(cli({"keys", "add", "--fwknop", "--dir", dir}).code, 64);
    EXPECT_EQ(cli({"keys"}).code, 64);
    EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST_F(KeysCommand, ListShowsEachFileAndItsCheck) {
    ASSERT_EQ(cli({"keys", "add", "alice", "--fwknop", "--dir", dir}).code, 0);
    ASSERT_EQ(cli({"keys", "add", "bob", "--fwknop", "--dir", dir}).code, 0);
    auto ok = cli({"keys", "list", "--dir", dir});
    EXPECT_EQ(ok.code, 0) << ok.err;
    EXPECT_EQ(ok.out.rfind("USER   KIND    FILE", 0), 0u) << ok.out;
    EXPECT_NE(ok.out.find("alice  fwknop  " + dir + "/alice.fwknop  0640"), std::string::npos)
        << ok.out;
    EXPECT_NE(ok.out.find("bob  "), std::string::npos);
    ::chmod((dir + "/bob.fwknop").c_str(), 0644);
    std::ofstream(dir + "/carol.fwknop") << "key_base64: AAAA\n";
    ::chmod((dir + "/carol.fwknop").c_str(), 0600);
    const auto bad = cli({"keys", "list", "--dir", dir});
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.out.find("0644  root:"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("refused: accessible by others (chmod 0640)"), std::string::npos);
    EXPECT_NE(bad.out.find("refused: hmac_key_base64 missing"), std::string::npos);
    // Nothing in the listing shows a key.
    const std::string alice = test::read_file(dir + "/alice.fwknop");
    EXPECT_EQ(bad.out.find(alice.substr(alice.find("key_base64: ") + 12, 20)), std::string::npos);
}

TEST_F(KeysCommand, ListOfAnEmptyOrMissingDirectory) {
    std::filesystem::create_directories(dir);
    const auto empty = cli({"keys", "list", "--dir", dir});
    EXPECT_EQ(empty.code, 0);
    EXPECT_NE(empty.out.find("no key files in"), std::string::npos);
    EXPECT_EQ(cli({"keys", "list", "--dir", dir + "/nope"}).code, 69);
}

TEST_F(KeysCommand, TheStockClientWithThePrintedStanzaMakesAPacketThatVerifies) {
    if (::access("/usr/bin/fwknop", X_OK) != 0) GTEST_SKIP() << "fwknop-client not installed";
    const auto r = cli({"keys", "add", "alice", "--fwknop", "--dir", dir, "--server", "127.0.0.1"});
    ASSERT_EQ(r.code, 0) << r.err;
    // The user picks an ALLOW_IP; 'resolve' would ask the network.
    std::string rc = r.out;
    rc.replace(rc.find("ALLOW_IP            resolve"), 27, "ALLOW_IP            10.9.8.7");
    const std::string home = tmp.file("home");
    std::filesystem::create_directories(home);
    std::ofstream(home + "/.fwknoprc") << rc;
    ::chmod((home + "/.fwknoprc").c_str(), 0600);
    const std::string saved = tmp.file("packet");
    const auto run = test::run({"fwknop", "-n", "127.0.0.1", "--test", "--save-packet", saved}, {},
                               {"HOME=" + home});
    ASSERT_EQ(run.exit_code, 0) << run.err << run.out;
    std::string wire = test::read_file(saved);
    while (!wire.empty() && wire.back() == '\n') wire.pop_back();
    struct stat st {};
    ::stat((dir + "/alice.fwknop").c_str(), &st);
    const auto load = load_fwknop_keys(dir, st.st_gid);
    ASSERT_EQ(load.keys.size(), 1u);
    const SpaDecode d = decode_spa(wire, load.keys);
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
    EXPECT_EQ(d.message->allow_ip, "10.9.8.7");
    EXPECT_EQ(d.message->access.at(0).port, 22);
}

}  // namespace
}  // namespace jitd::remote
