// Packets made by the real fwknop client (Debian's fwknop-client): built with --test so nothing
// is sent, saved with --save-packet, then decoded. Skipped when fwknop is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "remote/base64.hpp"
#include "remote/fwknop_keys.hpp"
#include "remote/fwknop_spa.hpp"
#include "tests/support/process.hpp"

namespace jitd::remote {
namespace {

namespace fs = std::filesystem;

bool have_fwknop() {
    for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"})
        if (::access((std::string(dir) + "/fwknop").c_str(), X_OK) == 0) return true;
    return false;
}

class RealClient : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!have_fwknop()) GTEST_SKIP() << "fwknop (Debian fwknop-client) is not installed";
        home_ = fs::temp_directory_path() / ("jitd-fwknop-" + std::to_string(::getpid()));
        fs::create_directories(home_);
        const auto gen = generate_fwknop_key();
        key_ = {"alice", "alice.fwknop", gen.encryption, gen.hmac};
    }
    void TearDown() override {
        std::error_code ec;
        if (!home_.empty()) fs::remove_all(home_, ec);
    }

    // Runs the client with our keys plus `args`; returns the saved packet without its newline.
    std::string packet(std::vector<std::string> args, bool hmac = true) {
        const std::string file = (home_ / "packet").string();
        std::vector<std::string> argv = {"fwknop",
                                         "--no-rc-file",
                                         "--test",
                                         "-D",
                                         "127.0.0.1",
                                         "--save-packet",
                                         file,
                                         "--key-base64-rijndael",
                                         base64_encode(key_.encryption)};
        if (hmac) {
            argv.push_back("--key-base64-hmac");
            argv.push_back(base64_encode(key_.hmac));
        }
        argv.insert(argv.end(), args.begin(), args.end());
        // HOME points at a scratch directory: the client writes state files there.
        const auto r = test::run(argv, {}, {"HOME=" + home_.string()});
        EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
        std::string wire = test::read_file(file);
        while (!wire.empty() && (wire.back() == '\n' || wire.back() == '\r')) wire.pop_back();
        fs::remove(file);
        return wire;
    }

    SpaDecode decode(const std::string& wire) {
        const FwknopKey keys[] = {key_};
        return decode_spa(wire, keys);
    }

    fs::path home_;
    FwknopKey key_;
};

std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

TEST_F(RealClient, AllowIpAndOnePort) {
    const std::int64_t before = now_s();
    const SpaDecode d = decode(packet({"-A", "tcp/22", "-a", "10.1.2.3", "-U", "alice"}));
    const std::int64_t after = now_s();
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
    EXPECT_EQ(d.message->type, 1);
    EXPECT_EQ(d.message->client_user, "alice");
    EXPECT_EQ(d.message->allow_ip, "10.1.2.3");
    ASSERT_EQ(d.message->access.size(), 1u);
    EXPECT_EQ(d.message->access[0].protocol, "tcp");
    EXPECT_EQ(d.message->access[0].port, 22);
    EXPECT_FALSE(d.message->client_timeout);
    EXPECT_GE(d.message->timestamp, before);
    EXPECT_LE(d.message->timestamp, after);
}

TEST_F(RealClient, PacketSourceTimeoutAndSeveralPorts) {
    const SpaDecode d = decode(packet({"-A", "tcp/22,udp/53,tcp/2222", "-s", "-f", "600"}));
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
    EXPECT_EQ(d.message->type, 3);
    EXPECT_EQ(d.message->allow_ip, "0.0.0.0");
    ASSERT_EQ(d.message->access.size(), 3u);
    EXPECT_EQ(d.message->access[1].protocol, "udp");
    EXPECT_EQ(d.message->access[1].port, 53);
    EXPECT_EQ(d.message->client_timeout, 600u);
}

TEST_F(RealClient, TimeOffsetShowsInTheTimestamp) {
    const std::int64_t before = now_s();
    const SpaDecode d =
        decode(packet({"-A", "tcp/22", "-a", "10.1.2.3", "--time-offset-plus", "3600"}));
    const std::int64_t after = now_s();
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
    EXPECT_GE(d.message->timestamp, before + 3600);
    EXPECT_LE(d.message->timestamp, after + 3600);
}

TEST_F(RealClient, Sha512InnerDigestIsAccepted) {
    const SpaDecode d = decode(packet({"-A", "tcp/22", "-a", "10.1.2.3", "-m", "sha512"}));
    ASSERT_TRUE(d.message) << to_string(*d.refusal);
}

TEST_F(RealClient, EachPacketHasItsOwnReplayDigest) {
    const SpaDecode a = decode(packet({"-A", "tcp/22", "-a", "10.1.2.3"}));
    const SpaDecode b = decode(packet({"-A", "tcp/22", "-a", "10.1.2.3"}));
    ASSERT_TRUE(a.message && b.message);
    EXPECT_NE(a.replay_digest, b.replay_digest);
}

TEST_F(RealClient, WithoutHmacOrWithAnotherHmacTypeNothingVerifies) {
    EXPECT_EQ(decode(packet({"-A", "tcp/22", "-a", "10.1.2.3"}, false)).refusal,
              SpaRefusal::no_key_matched);
    EXPECT_EQ(
        decode(packet({"-A", "tcp/22", "-a", "10.1.2.3", "--hmac-digest-type", "sha512"})).refusal,
        SpaRefusal::no_key_matched);
}

TEST_F(RealClient, AWrongHmacKeyDoesNotVerify) {
    const std::string wire = packet({"-A", "tcp/22", "-a", "10.1.2.3"});
    FwknopKey other = key_;
    other.hmac[0] ^= 1;
    const FwknopKey keys[] = {other};
    EXPECT_EQ(decode_spa(wire, keys).refusal, SpaRefusal::no_key_matched);
}

}  // namespace
}  // namespace jitd::remote
