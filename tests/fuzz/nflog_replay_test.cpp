// The nflog parser's fuzz invariants over its seeds, and what the hand-built seeds must parse to
// (tests/fuzz/corpus/nflog: netlink messages as nfnetlink_log sends them).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "nft/nflog_packet.hpp"
#include "tests/fuzz/nflog_checks.hpp"

namespace jitd::fuzz {
namespace {

namespace fs = std::filesystem;

std::string seed(const std::string& name) {
    std::ifstream in(fs::path(JITD_FUZZ_CORPUS) / "nflog" / name, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Outcome {
    std::vector<nft::Datagram> datagrams;
    std::vector<std::string> errors;
};

Outcome parse(const std::string& bytes) {
    std::vector<std::uint32_t> aligned((bytes.size() + 3) / 4);
    if (!bytes.empty()) std::memcpy(aligned.data(), bytes.data(), bytes.size());
    Outcome out;
    nft::parse_nflog_buffer(
        {reinterpret_cast<const std::uint8_t*>(aligned.data()), bytes.size()},
        {[&](const nft::Datagram& d) { out.datagrams.push_back(d); },
         [&](nft::NflogError e) { out.errors.emplace_back(nft::to_string(e)); }});
    return out;
}

TEST(NflogCorpus, EverySeedKeepsTheInvariants) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(JITD_FUZZ_CORPUS) / "nflog")) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::ostringstream s;
        s << in.rdbuf();
        EXPECT_EQ(check_nflog_input(s.str()), "") << entry.path();
        ++n;
    }
    EXPECT_GE(n, 10);
    EXPECT_EQ(check_nflog_input(""), "");
    EXPECT_EQ(check_nflog_input(std::string(64, '\xff')), "");
}

TEST(NflogCorpus, WholeDatagramsYieldSourceAndPayload) {
    const Outcome v4 = parse(seed("ipv4_spa"));
    ASSERT_EQ(v4.datagrams.size(), 1u);
    EXPECT_TRUE(v4.errors.empty());
    EXPECT_EQ(v4.datagrams[0].source_text(), "198.51.100.2");
    EXPECT_EQ(v4.datagrams[0].source_port, 40000);
    EXPECT_EQ(v4.datagrams[0].dest_port, 62201);
    EXPECT_EQ(v4.datagrams[0].payload, "9" + std::string(203, 'A'));
    const Outcome v6 = parse(seed("ipv6_spa"));
    ASSERT_EQ(v6.datagrams.size(), 1u);
    EXPECT_EQ(v6.datagrams[0].source_text(), "2001:db8:99::2");
    const Outcome two = parse(seed("two_messages"));
    ASSERT_EQ(two.datagrams.size(), 2u);
    EXPECT_EQ(two.datagrams[0].payload, "hello");
    EXPECT_EQ(two.datagrams[1].payload, "world");
}

TEST(NflogCorpus, BrokenPacketsNameTheirCause) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"ipv4_truncated_copy", "truncated"},
        {"ipv4_fragment", "fragment"},
        {"ipv4_tcp", "not_udp"},
        {"ipv4_total_too_short", "bad_ip"},
        {"udp_length_too_long", "bad_ip"},
        {"ipv6_extension", "not_udp"},
        {"no_payload", "no_payload"},
        {"bad_version", "bad_ip"},
        {"empty_payload", "truncated"},
        {"cut_message", "bad_message"},
        {"nlmsg_error", "bad_message"},
    };
    for (const auto& [name, cause] : cases) {
        const Outcome o = parse(seed(name));
        EXPECT_TRUE(o.datagrams.empty()) << name;
        ASSERT_EQ(o.errors.size(), 1u) << name;
        EXPECT_EQ(o.errors[0], cause) << name;
    }
    EXPECT_TRUE(parse(seed("other_subsystem")).errors.empty());  // not ours: skipped
}

}  // namespace
}  // namespace jitd::fuzz
