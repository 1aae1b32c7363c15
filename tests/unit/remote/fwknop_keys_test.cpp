#include "remote/fwknop_keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "remote/base64.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/remote/temp_dir.hpp"

namespace jitd::remote {
namespace {

using testing::TempDir;

const std::string kEnc = "Mhew4+a8X7wS7lNgfWwe8452FANEAWUxQtnhf1LbLSE=";
const std::string kHmac =
    "NgyxUSIlaxI/rYR5Jnm7/XFskGfHQ+cKeFHJ34S9Q16bCaih/h2htcDTfPMHWmlMqHaA95KBx3GNaqppH/6pLA==";
const std::string kGood = "key_base64: " + kEnc + "\nhmac_key_base64: " + kHmac + "\n";
constexpr gid_t kNoGroup = 0;

std::string write(const TempDir& dir, const std::string& name, const std::string& text,
                  mode_t mode = 0640) {
    std::string path = dir.file(name);  // not const: returned by move
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
}

// The one error for a directory holding just `text` as alice.fwknop ("" when it loads).
std::string error_for(const std::string& text, mode_t mode = 0640) {
    TempDir dir;
    write(dir, "alice.fwknop", text, mode);
    const auto load = load_fwknop_keys(dir.path(), kNoGroup);
    EXPECT_EQ(load.keys.size() + load.errors.size(), 1u);
    return load.errors.empty() ? "" : load.errors[0];
}

TEST(FwknopKeys, LoadsKeyGenOutput) {
    TempDir dir;
    const std::string path = write(dir, "alice.fwknop", kGood);
    write(dir, "README", "not a key file");
    write(dir, ".fwknop", kGood);  // no user name: not a key file either
    const auto load = load_fwknop_keys(dir.path(), kNoGroup);
    ASSERT_TRUE(load.errors.empty()) << load.errors[0];
    ASSERT_EQ(load.keys.size(), 1u);
    EXPECT_EQ(load.keys[0].user, "alice");
    EXPECT_EQ(load.keys[0].file, path);
    EXPECT_EQ(base64_encode(load.keys[0].encryption), kEnc);
    EXPECT_EQ(base64_encode(load.keys[0].hmac), kHmac);
}

TEST(FwknopKeys, AcceptsTheFormsAdminsPaste) {
    // `fwknop --key-gen` prints upper case with ':', access.conf has "NAME   value".
    EXPECT_EQ(error_for("KEY_BASE64: " + kEnc + "\nHMAC_KEY_BASE64: " + kHmac + "\n"), "");
    EXPECT_EQ(
        error_for("# alice's laptop\n\nKEY_BASE64      " + kEnc + "\nHMAC_KEY_BASE64\t" + kHmac),
        "");
    EXPECT_EQ(error_for("key_base64: " + kEnc + "\r\nhmac_key_base64: " + kHmac + "\r\n"), "");
}

TEST(FwknopKeys, LoadsSeveralSortedAndReportsEachBadOne) {
    TempDir dir;
    write(dir, "bob.fwknop", kGood);
    write(dir, "alice.fwknop", kGood);
    write(dir, "carol.fwknop", "key_base64: " + kEnc + "\n");
    const auto load = load_fwknop_keys(dir.path(), kNoGroup);
    ASSERT_EQ(load.keys.size(), 2u);
    EXPECT_EQ(load.keys[0].user, "alice");
    EXPECT_EQ(load.keys[1].user, "bob");
    ASSERT_EQ(load.errors.size(), 1u);
    EXPECT_EQ(load.errors[0],
              dir.file("carol.fwknop") + ": hmac_key_base64 missing (HMAC is mandatory)");
}

TEST(FwknopKeys, RefusesBadContent) {
    EXPECT_NE(error_for("key_base64: " + kEnc + "\n").find("hmac_key_base64 missing"),
              std::string::npos);
    EXPECT_NE(error_for("hmac_key_base64: " + kHmac + "\n").find("key_base64 missing"),
              std::string::npos);
    EXPECT_NE(error_for(kGood + "access: tcp/22\n").find("unknown setting 'access'"),
              std::string::npos);
    EXPECT_NE(error_for(kGood + "key_base64: " + kEnc + "\n").find("given twice"),
              std::string::npos);
    EXPECT_NE(
        error_for("key_base64: not*base64\nhmac_key_base64: " + kHmac).find("not valid base64"),
        std::string::npos);
    EXPECT_NE(error_for("key_base64\nhmac_key_base64: " + kHmac).find("no value"),
              std::string::npos);
    const std::string k33 = base64_encode(std::vector<unsigned char>(33, 7));
    EXPECT_NE(error_for("key_base64: " + k33 + "\nhmac_key_base64: " + kHmac).find("1..32 bytes"),
              std::string::npos);
    const std::string h31 = base64_encode(std::vector<unsigned char>(31, 7));
    EXPECT_NE(error_for("key_base64: " + kEnc + "\nhmac_key_base64: " + h31).find("32..128 bytes"),
              std::string::npos);
    const std::string k32 = base64_encode(std::vector<unsigned char>(32, 7));
    EXPECT_NE(error_for("key_base64: " + k32 + "\nhmac_key_base64: " + k32).find("are equal"),
              std::string::npos);
    EXPECT_NE(error_for(std::string(5000, '#')).find("larger than 4096"), std::string::npos);
}

TEST(FwknopKeys, ErrorsNeverShowKeys) {
    const std::string e = error_for("key_base64: " + kEnc + "\nhmac_key_base64: " + kEnc);
    EXPECT_NE(e, "");
    EXPECT_EQ(e.find(kEnc.substr(0, 20)), std::string::npos) << e;
}

TEST(FwknopKeys, RefusesLooseModes) {
    EXPECT_EQ(error_for(kGood, 0600), "");
    EXPECT_EQ(error_for(kGood, 0400), "");
    EXPECT_NE(error_for(kGood, 0644).find("accessible by others"), std::string::npos);
    EXPECT_NE(error_for(kGood, 0604).find("accessible by others"), std::string::npos);
    EXPECT_NE(error_for(kGood, 0660).find("writable by group"), std::string::npos);
    EXPECT_NE(error_for(kGood, 0642).find("writable by group or others"), std::string::npos);
}

TEST(FwknopKeys, GroupReadableOnlyForRootOrTheAllowedGroup) {
    if (!test::is_root()) GTEST_SKIP() << "needs root to chown";
    TempDir dir;
    const std::string path = write(dir, "alice.fwknop", kGood, 0640);
    ASSERT_EQ(::chown(path.c_str(), 0, 4242), 0);
    EXPECT_EQ(load_fwknop_keys(dir.path(), 4242).keys.size(), 1u);
    const auto other = load_fwknop_keys(dir.path(), 4243);
    ASSERT_EQ(other.errors.size(), 1u);
    EXPECT_NE(other.errors[0].find("readable by group 4242"), std::string::npos);
    ::chmod(path.c_str(), 0600);  // not group-readable: the group does not matter
    EXPECT_EQ(load_fwknop_keys(dir.path(), 4243).keys.size(), 1u);
    ASSERT_EQ(::chown(path.c_str(), 4242, 0), 0);
    EXPECT_NE(load_fwknop_keys(dir.path(), 0).errors.at(0).find("not owned by root"),
              std::string::npos);
}

TEST(FwknopKeys, RefusesSymlinksDirectoriesAndOddNames) {
    TempDir dir;
    const std::string real = write(dir, "target", kGood);
    ASSERT_EQ(::symlink(real.c_str(), dir.file("alice.fwknop").c_str()), 0);
    ::mkdir(dir.file("bob.fwknop").c_str(), 0700);
    write(dir, "-x.fwknop", kGood);
    write(dir, "a b.fwknop", kGood);
    const auto load = load_fwknop_keys(dir.path(), kNoGroup);
    EXPECT_TRUE(load.keys.empty());
    EXPECT_EQ(load.errors.size(), 4u);
    EXPECT_EQ(check_key_file_access(dir.file("alice.fwknop"), 0), "not a regular file");
}

TEST(FwknopKeys, AMissingDirectoryIsOneError) {
    const auto load = load_fwknop_keys("/nonexistent/jitd-keys", kNoGroup);
    EXPECT_TRUE(load.keys.empty());
    ASSERT_EQ(load.errors.size(), 1u);
    EXPECT_EQ(load.errors[0].rfind("/nonexistent/jitd-keys: ", 0), 0u);
}

TEST(FwknopKeys, UserNames) {
    for (const char* ok : {"alice", "a.b", "svc_backup", "x-1", "A9"})
        EXPECT_TRUE(valid_key_user(ok)) << ok;
    for (const char* bad : {"", ".hidden", "-x", "a b", "a/b", "a:b", "é"})
        EXPECT_FALSE(valid_key_user(bad)) << bad;
    EXPECT_FALSE(valid_key_user(std::string(65, 'a')));
}

TEST(FwknopKeys, GeneratedKeysAreFreshAndRoundTrip) {
    const auto a = generate_fwknop_key();
    const auto b = generate_fwknop_key();
    EXPECT_EQ(a.encryption.size(), 32u);
    EXPECT_EQ(a.hmac.size(), 64u);
    EXPECT_NE(a.encryption, b.encryption);
    EXPECT_NE(a.hmac, b.hmac);
    const FwknopKey k = parse_fwknop_key("alice", "f", format_fwknop_key_file(a));
    EXPECT_EQ(k.encryption, a.encryption);
    EXPECT_EQ(k.hmac, a.hmac);
}

TEST(Base64, RoundTripAndStrictness) {
    const std::vector<unsigned char> bytes = {0, 1, 2, 250, 251, 252, 253};
    for (std::size_t n = 0; n <= bytes.size(); ++n) {
        const std::span<const unsigned char> part(bytes.data(), n);
        EXPECT_EQ(base64_decode(base64_encode(part)),
                  std::vector<unsigned char>(part.begin(), part.end()));
        EXPECT_EQ(base64_decode(base64_encode_unpadded(part)),
                  std::vector<unsigned char>(part.begin(), part.end()));
    }
    EXPECT_EQ(base64_encode_unpadded(std::vector<unsigned char>{'a'}), "YQ");
    for (const char* bad : {"Y", "YQ=", "Y===", "YQ==Y", "Y Q=", "YR", "-_", "YQ\n", "=", "YQ==="})
        EXPECT_FALSE(base64_decode(bad)) << bad;
}

}  // namespace
}  // namespace jitd::remote
