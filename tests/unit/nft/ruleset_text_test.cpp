#include <gtest/gtest.h>

#include "nft/model.hpp"

namespace jitd::nft {
namespace {

TableSpec sample() {
    TableSpec spec;
    spec.protected_ports = {{L4::tcp, 22}, {L4::udp, 22}, {L4::tcp, 3389}};
    spec.always_allow = {*parse_prefix("192.0.2.0/24"), *parse_prefix("2001:db8:1::/48")};
    return spec;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(RenderRuleset, StartsWithOurTableOnly) {
    const std::string text = render_ruleset(sample());
    EXPECT_EQ(text.rfind("table inet jitd {\n", 0), 0u);
    EXPECT_EQ(text.find("table", 1), std::string::npos) << "one table only";
    EXPECT_EQ(text.back(), '\n');
}

TEST(RenderRuleset, ProtectedPairsAndAllowPrefixesAreElements) {
    const std::string text = render_ruleset(sample());
    EXPECT_TRUE(has(text, "elements = { tcp . 22, udp . 22, tcp . 3389 }")) << text;
    EXPECT_TRUE(has(text, "elements = { 192.0.2.0/24 }")) << text;
    EXPECT_TRUE(has(text, "elements = { 2001:db8:1::/48 }")) << text;
}

TEST(RenderRuleset, GrantSetsHaveTimeoutsAndNoElements) {
    const std::string text = render_ruleset(sample());
    EXPECT_TRUE(has(text,
                    "\tset grant4_host {\n\t\ttype ipv4_addr . inet_proto . inet_service\n"
                    "\t\tflags timeout\n\t}\n"))
        << text;
    EXPECT_TRUE(has(text,
                    "\tset grant6_net {\n\t\ttype ipv6_addr . inet_proto . inet_service\n"
                    "\t\tflags interval,timeout\n\t}\n"))
        << text;
}

TEST(RenderRuleset, ChainOrderAcceptsBeforeTheDrop) {
    const std::string text = render_ruleset(sample());
    const auto hook = text.find("type filter hook input priority filter; policy accept;");
    const auto lo = text.find("iif \"lo\" accept");
    const auto ct = text.find("ct state established,related accept");
    const auto unprot = text.find("meta l4proto . th dport != @protected accept");
    const auto allow = text.find("ip saddr @allow4 accept");
    const auto grant = text.find("ip6 saddr . meta l4proto . th dport @grant6_net accept");
    const auto pickup = text.find("ct state new tcp flags ack / fin,syn,rst,ack ip saddr");
    const auto drop = text.find("counter drop");
    ASSERT_NE(pickup, std::string::npos) << text;
    ASSERT_NE(drop, std::string::npos);
    EXPECT_LT(hook, lo);
    EXPECT_LT(lo, ct);
    EXPECT_LT(ct, unprot);
    EXPECT_LT(unprot, allow);
    EXPECT_LT(allow, grant);
    EXPECT_LT(grant, pickup);
    EXPECT_LT(pickup, drop);
}

// Connections conntrack picks up mid-stream (it was not tracking before the table existed)
// arrive as "ct state new" without SYN: only those bare ACKs pass, and only for the 4-tuples in
// the pickup sets (sessions open at the first install), right before the drop.
TEST(RenderRuleset, MidStreamPickupIsTheLastAcceptBeforeTheDrop) {
    const std::string text = render_ruleset(sample());
    EXPECT_TRUE(has(text,
                    "\t\tip6 saddr . meta l4proto . th dport @grant6_net accept\n"
                    "\t\tct state new tcp flags ack / fin,syn,rst,ack ip saddr . tcp sport . "
                    "ip daddr . tcp dport @pickup4 accept\n"
                    "\t\tct state new tcp flags ack / fin,syn,rst,ack ip6 saddr . tcp sport . "
                    "ip6 daddr . tcp dport @pickup6 accept\n"
                    "\t\tcounter drop\n\t}\n}\n"))
        << text;
    EXPECT_FALSE(has(text, "invalid")) << "strict tracking's invalid segments stay dropped";
    EXPECT_TRUE(has(text,
                    "\tset pickup6 {\n\t\ttype ipv6_addr . inet_service . ipv6_addr . "
                    "inet_service\n\t\tflags timeout\n\t}\n"))
        << text;
}

TEST(RenderRuleset, EmptyPolicyHasNoElementsLines) {
    const std::string text = render_ruleset(TableSpec{});
    EXPECT_FALSE(has(text, "elements")) << text;
    EXPECT_TRUE(has(text, "counter drop"));
}

// The remote intake: each source's meter drops its flood before the global limit on the copy,
// and none of the four rules accepts; without a remote port neither the rules nor the meter
// sets exist.
TEST(RenderRuleset, RemoteMetersComeBeforeTheCopyAndOnlyWithARemotePort) {
    EXPECT_FALSE(has(render_ruleset(sample()), "remote_rate"));
    TableSpec spec = sample();
    spec.remote_port = 62201;
    const std::string text = render_ruleset(spec);
    EXPECT_TRUE(has(text,
                    "\tset remote_rate6 {\n\t\ttype ipv6_addr\n\t\tsize 16384\n"
                    "\t\tflags dynamic,timeout\n\t\ttimeout 10s\n\t}\n"))
        << text;
    EXPECT_TRUE(has(text,
                    "policy accept;\n"
                    "\t\tudp dport 62201 update @remote_rate4 { ip saddr limit rate over "
                    "5/second burst 10 packets } counter drop\n"
                    "\t\tudp dport 62201 update @remote_rate6 { ip6 saddr & ffff:ffff:ffff:ffff:: "
                    "limit rate over 5/second burst 10 packets } counter drop\n"
                    "\t\tudp dport 62201 limit rate 5000/second burst 5000 packets log group 62201 "
                    "snaplen 2048 queue-threshold 1\n"
                    "\t\tudp dport 62201 drop\n"
                    "\t\tiif \"lo\" accept\n"))
        << text;
}

}  // namespace
}  // namespace jitd::nft
