// Every refusal names the node's 1-based line and column and what is wrong with it.
#include <gtest/gtest.h>

#include "refusal.hpp"

namespace jitd::config {
namespace {

TEST(PolicyRefusals, UnknownKeysAtEveryLevel) {
    EXPECT_REFUSAL("prots:\n  - port: 22\n", 1, 1, "unknown key 'prots'");
    EXPECT_REFUSAL("prots:\n  - port: 22\n", 1, 1, "did you mean 'ports'?");
    EXPECT_REFUSAL("colour: blue\n", 1, 1,
                   "expected ports, access, always_allow, require_reason, revoke_kills_sessions, "
                   "limits or remote");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    protcol: tcp\n", 3, 5,
                   "unknown key 'protcol' in a ports entry; did you mean 'protocol'?");
    EXPECT_REFUSAL("ports:\n  - {port: 22, source: any}\n", 2, 16, "unknown key 'source'");
    EXPECT_REFUSAL("access:\n  admin: {users: [root]}\n", 2, 3,
                   "unknown key 'admin' in access; did you mean 'admins'?");
    EXPECT_REFUSAL("access:\n  admins:\n    users: [root]\n    group: [sudo]\n", 4, 5,
                   "unknown key 'group' in admins");
    EXPECT_REFUSAL("limits:\n  max_grants: 3\n", 2, 3, "unknown key 'max_grants' in limits");
    EXPECT_REFUSAL("limits:\n  widest_source: {ipv4: 16, ipv7: 3}\n", 2, 29,
                   "unknown key 'ipv7' in widest_source");
}

TEST(PolicyRefusals, DuplicateKeys) {
    EXPECT_REFUSAL("require_reason: true\nrequire_reason: false\n", 2, 1,
                   "duplicate key 'require_reason' in the policy (first at line 1)");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    port: 23\n", 3, 5, "duplicate key 'port'");
}

TEST(PolicyRefusals, WrongShapes) {
    EXPECT_REFUSAL("- port: 22\n", 1, 1, "the policy: expected a mapping, got a list");
    EXPECT_REFUSAL("hello\n", 1, 1, "the policy: expected a mapping, got 'hello'");
    EXPECT_REFUSAL("ports:\n  port: 22\n", 2, 3, "ports: expected a list, got a mapping");
    EXPECT_REFUSAL("ports: 22\n", 1, 8, "ports: expected a list, got '22'");
    EXPECT_REFUSAL("ports:\n  - 22\n", 2, 5, "a ports entry: expected a mapping, got '22'");
    EXPECT_REFUSAL("ports:\n  - [22, tcp]\n", 2, 5, "expected a mapping, got a list");
    EXPECT_REFUSAL("access: [root]\n", 1, 9, "access: expected a mapping, got a list");
    EXPECT_REFUSAL("access:\n  admins: [root]\n", 2, 11, "admins: expected a mapping, got a list");
    EXPECT_REFUSAL("access:\n  admins:\n    users: root\n", 3, 12,
                   "users: expected a list, got 'root'");
    EXPECT_REFUSAL("access:\n  viewers: {groups: {adm: 1}}\n", 2, 21,
                   "groups: expected a list, got a mapping");
    EXPECT_REFUSAL("access:\n  viewers: {groups: [[adm]]}\n", 2, 22,
                   "groups: expected a group name, got a list");
    EXPECT_REFUSAL("access:\n  viewers: {users: [\"\"]}\n", 2, 21,
                   "users: expected a user name, got the quoted string ''");
    EXPECT_REFUSAL("always_allow: 10.0.0.0/8\n", 1, 15, "always_allow: expected a list");
    EXPECT_REFUSAL("always_allow: [{net: 10.0.0.0/8}]\n", 1, 16,
                   "always_allow: expected an address or CIDR, got a mapping");
    EXPECT_REFUSAL("limits: 16\n", 1, 9, "limits: expected a mapping, got '16'");
    EXPECT_REFUSAL("limits:\n  widest_source: 16\n", 2, 18, "widest_source: expected a mapping");
    EXPECT_REFUSAL("{[a]: 1}\n", 1, 2, "keys must be plain words, got a list");
}

TEST(PolicyRefusals, WrongScalarTypes) {
    EXPECT_REFUSAL("ports:\n  - port: ssh\n", 2, 11,
                   "port: expected an integer 1..65535, got 'ssh'");
    EXPECT_REFUSAL("ports:\n  - port: \"22\"\n", 2, 11, "got the quoted string '22'");
    EXPECT_REFUSAL("ports:\n  - port: 22.0\n", 2, 11, "expected an integer");
    EXPECT_REFUSAL("ports:\n  - port: 0x16\n", 2, 11, "expected an integer");
    EXPECT_REFUSAL("ports:\n  - port: [22]\n", 2, 11,
                   "port: expected an integer 1..65535, got a list");
    EXPECT_REFUSAL("ports:\n  - port:\n", 2, 5, "port: expected an integer 1..65535, got nothing");
    EXPECT_REFUSAL("require_reason: maybe\n", 1, 17,
                   "require_reason: expected true or false, got 'maybe'");
    EXPECT_REFUSAL("require_reason: yes\n", 1, 17, "expected true or false");
    EXPECT_REFUSAL("require_reason: 'true'\n", 1, 17, "got the quoted string 'true'");
    EXPECT_REFUSAL("require_reason:\n", 1, 1, "expected true or false, got nothing");
    EXPECT_REFUSAL("limits:\n  max_grants_per_user: lots\n", 2, 24,
                   "max_grants_per_user: expected an integer 1..100000, got 'lots'");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    protocol: sctp\n", 3, 15,
                   "protocol: expected tcp, udp or any, got 'sctp'");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    protocol: TCP\n", 3, 15, "got 'TCP'");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    protocol: [tcp]\n", 3, 15, "got a list");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    max_duration: [1h]\n", 3, 19,
                   "max_duration: expected a duration such as 3h or PT3H, got a list");
}

TEST(PolicyRefusals, MissingPort) {
    EXPECT_REFUSAL("ports:\n  - protocol: tcp\n", 2, 5, "missing required key 'port'");
}

TEST(PolicyRefusals, PortsOutOfRange) {
    EXPECT_REFUSAL("ports:\n  - port: 0\n", 2, 11, "port: 0 is out of range 1..65535");
    EXPECT_REFUSAL("ports:\n  - port: 65536\n", 2, 11, "port: 65536 is out of range 1..65535");
    EXPECT_REFUSAL("ports:\n  - port: -22\n", 2, 11, "port: -22 is out of range 1..65535");
    EXPECT_REFUSAL("ports:\n  - port: 99999999999999999999999\n", 2, 11,
                   "port: 99999999999999999999999 is out of range 1..65535");
}

TEST(PolicyRefusals, EmptyPortsList) {
    EXPECT_REFUSAL("ports: []\n", 1, 8, "ports: the list is empty, so nothing would be protected");
    EXPECT_REFUSAL("ports:\n", 1, 1, "ports: the list is empty");
    EXPECT_REFUSAL("require_reason: false\nports: []\n", 2, 8, "omit `ports` for the defaults");
}

TEST(PolicyRefusals, Durations) {
    const char* head = "ports:\n  - port: 22\n    max_duration: ";
    auto at = [&](const char* value) { return std::string(head) + value + "\n"; };
    EXPECT_REFUSAL(at("8d"), 3, 19, "max_duration: 8d exceeds the 7d limit");
    EXPECT_REFUSAL(at("P8D"), 3, 19, "max_duration: P8D exceeds the 7d limit");
    EXPECT_REFUSAL(at("168h1s"), 3, 19, "exceeds the 7d limit");
    EXPECT_REFUSAL(at("0s"), 3, 19,
                   "max_duration: invalid duration '0s': must be greater than zero");
    EXPECT_REFUSAL(at("-5m"), 3, 19, "max_duration: invalid duration '-5m': negative");
    EXPECT_REFUSAL(at("soon"), 3, 19, "max_duration: invalid duration 'soon'");
    EXPECT_REFUSAL(at("3600"), 3, 19, "missing unit after 3600");
    EXPECT_REFUSAL(at("1.5h"), 3, 19, "fractions");
    EXPECT_REFUSAL(at("''"), 3, 19, "empty duration");
    EXPECT_REFUSAL(std::string(head) + "\n", 3, 5, "max_duration: expected a duration");
}

TEST(PolicyRefusals, InvalidCidrs) {
    EXPECT_REFUSAL("ports:\n  - port: 3389\n    allowed_sources: [10.0.0.0/33]\n", 3, 23,
                   "allowed_sources: '10.0.0.0/33': prefix length 33 is out of range 0..32");
    EXPECT_REFUSAL("ports:\n  - port: 3389\n    allowed_sources: [10.0.0.0/8, 10.0.0.300]\n", 3, 35,
                   "allowed_sources: '10.0.0.300' is not an IPv4 or IPv6 address");
    EXPECT_REFUSAL("ports:\n  - port: 3389\n    allowed_sources:\n      - 2001:db8::/129\n", 4, 9,
                   "prefix length 129 is out of range 0..128");
    EXPECT_REFUSAL("always_allow:\n  - fe80::1%eth0\n", 2, 5,
                   "always_allow: 'fe80::1%eth0' is not an IPv4 or IPv6 address");
    EXPECT_REFUSAL("always_allow: [192.0.2.0/24, example.com]\n", 1, 30, "'example.com'");
}

TEST(PolicyRefusals, CidrHostBitsNameTheNetworkMeant) {
    EXPECT_REFUSAL("ports:\n  - port: 3389\n    allowed_sources: [10.1.2.3/8]\n", 3, 23,
                   "allowed_sources: 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?");
    EXPECT_REFUSAL("always_allow:\n  - 192.0.2.0/24\n  - 2001:db8::1/32\n", 3, 5,
                   "always_allow: 2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?");
}

TEST(PolicyRefusals, AllowedSourcesShape) {
    EXPECT_REFUSAL("ports:\n  - port: 22\n    allowed_sources: []\n", 3, 22,
                   "allowed_sources: an empty list would allow no source");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    allowed_sources: anywhere\n", 3, 22,
                   "allowed_sources: expected `any` or a list of CIDRs, got 'anywhere'");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    allowed_sources: 10.0.0.0/8\n", 3, 22,
                   "a single network is written [10.0.0.0/8]");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    allowed_sources:\n", 3, 5,
                   "allowed_sources: expected `any` or a list of CIDRs, got nothing");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    allowed_sources: {any: true}\n", 3, 22,
                   "got a mapping");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    allowed_sources: [10.0.0.0/8, 10.0.0.0/8]\n", 3, 35,
                   "allowed_sources: 10.0.0.0/8 is listed twice");
    EXPECT_REFUSAL("always_allow: [192.0.2.1, 192.0.2.1/32]\n", 1, 27,
                   "always_allow: 192.0.2.1 is listed twice");
}

TEST(PolicyRefusals, DuplicatePortProtocol) {
    EXPECT_REFUSAL("ports:\n  - {port: 22, protocol: tcp}\n  - {port: 22, protocol: tcp}\n", 3, 12,
                   "port: 22/tcp is listed twice (first at line 2)");
    EXPECT_REFUSAL("ports:\n  - port: 22\n  - port: 22\n", 3, 11,
                   "port: 22/any is listed twice (first at line 2)");
    EXPECT_REFUSAL("ports:\n  - {port: 22, protocol: any}\n  - {port: 22, protocol: tcp}\n", 3, 12,
                   "port: 22/tcp overlaps 22/any at line 2");
    EXPECT_REFUSAL("ports:\n  - {port: 53, protocol: udp}\n  - {port: 53}\n", 3, 12,
                   "port: 53/any overlaps 53/udp at line 2 (`any` covers both tcp and udp)");
    EXPECT_REFUSAL(
        "ports:\n  - {port: 53, protocol: tcp}\n  - {port: 80}\n  - {port: 53, protocol: udp}\n"
        "  - {port: 53, protocol: any}\n",
        5, 12, "53/any overlaps 53/tcp at line 2");
}

TEST(PolicyRefusals, NameListedTwiceInOneRole) {
    EXPECT_REFUSAL("access:\n  requesters:\n    users: [alice, bob, alice]\n", 3, 25,
                   "users: user 'alice' is listed twice (first at line 3)");
    EXPECT_REFUSAL("access:\n  admins:\n    groups:\n      - sudo\n      - wheel\n      - sudo\n",
                   6, 9, "groups: group 'sudo' is listed twice (first at line 4)");
}

TEST(PolicyRefusals, NamesThatCannotBeNames) {
    EXPECT_REFUSAL("access:\n  requesters: {users: [1000]}\n", 2, 24,
                   "users: '1000' is not a user name: it looks like a numeric id");
    EXPECT_REFUSAL("access:\n  viewers:\n    groups: [adm, 'log readers']\n", 3, 19,
                   "groups: 'log readers' is not a group name: it contains a space");
    EXPECT_REFUSAL("access:\n  admins: {users: ['root:x']}\n", 2, 20, "is not a user name");
}

// Found by fuzzing: yaml-cpp quotes a raw NUL, which cut what() short. Quoted text is escaped
// and bounded.
TEST(PolicyRefusals, QuotedTextIsEscapedAndBounded) {
    EXPECT_REFUSAL(std::string("limits: {max_gr\0\x1e_user: 3}\n", 27), 1, 18,
                   "YAML syntax error: unknown escape character: \\x1e");
    EXPECT_REFUSAL("limits: {\"a\\0b\": 3}\n", 1, 10, "unknown key 'a\\x00b' in limits");
    EXPECT_REFUSAL("limits: {max\x7f: 3}\n", 1, 10, "unknown key 'max\\x7f' in limits");
    const std::string long_key(200, 'k');
    const PolicyError e = testing::refusal(long_key + ": 1\n");
    EXPECT_NE(e.message().find("'" + std::string(64, 'k') + "...'"), std::string::npos)
        << e.message();
    EXPECT_LT(e.message().size(), 200u) << e.message();
}

// yaml-cpp keeps "\0" in a scalar and inet_pton stopped there (issue 11, finding 10).
TEST(PolicyRefusals, AddressWithNulIsRefusedAtItsPlace) {
    EXPECT_REFUSAL(
        "always_allow: [\"198.51.100.2\\0junk\"]\n", 1, 16,
        "always_allow: '198.51.100.2\\x00junk' is not an IPv4 or IPv6 address or CIDR: it "
        "contains a NUL byte");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    allowed_sources: [\"10.0.0.0/8\\0\"]\n", 3, 23,
                   "contains a NUL byte");
}

TEST(PolicyRefusals, YamlSyntaxErrorsKeepTheirMark) {
    const PolicyError e = testing::refusal("ports: [22\naccess: {}\n");
    EXPECT_GT(e.line(), 0) << e.what();
    EXPECT_GT(e.column(), 0) << e.what();
    EXPECT_NE(e.message().find("YAML syntax error"), std::string::npos) << e.what();
    EXPECT_REFUSAL("ports:\n  - port: 22\n   protocol: tcp\n", 3, 4, "YAML syntax error");
    EXPECT_REFUSAL("access: {admins: [root}\n", 1, 23, "YAML syntax error");
    EXPECT_REFUSAL("require_reason: true\n---\nrequire_reason: false\n", 2, 1,
                   "a policy is one YAML document");
    EXPECT_REFUSAL("ports:\n  - port: 22\n---\n", 3, 1, "a second YAML document");
    EXPECT_REFUSAL("ports: [{port: 22}]\n]\n", 2, 1, "YAML syntax error: illegal flow end");
}

// yaml-cpp's depth guard, not a stack overflow; and a message that says so.
TEST(PolicyRefusals, DeepNestingIsRefused) {
    const PolicyError e = testing::refusal(std::string(100000, '['));
    EXPECT_EQ(e.line(), 1) << e.what();
    EXPECT_GE(e.column(), 1) << e.what();
    EXPECT_NE(e.message().find("levels deep"), std::string::npos) << e.what();
}

// yaml-cpp 0.7's LoadAll loops forever, allocating, on a stray comma (found by fuzzing; fixed
// upstream in yaml-cpp PR #1319). The loader must answer instead of eating the host's memory.
TEST(PolicyRefusals, StrayCommaIsRefusedNotALoop) {
    EXPECT_REFUSAL(",", 1, 1, "stray content or a second YAML document");
    EXPECT_REFUSAL("require_reason: true\n,\n", 2, 1, "YAML syntax error: end of map not found");
    EXPECT_REFUSAL("[22]\n,\n", 2, 1, "stray content");
    EXPECT_REFUSAL("ports: [{port: 22}]\n,\n", 2, 1, "YAML syntax error");
}

}  // namespace
}  // namespace jitd::config
