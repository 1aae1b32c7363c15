// A port's `approval:` section: defaults, every key, and the refusals (FILE:LINE:COLUMN).
#include <gtest/gtest.h>

#include "refusal.hpp"

namespace jitd::config {
namespace {

using namespace std::chrono_literals;

std::string port_with(const std::string& approval) {
    return "ports:\n  - port: 22\n    approval:\n" + approval;
}

TEST(PolicyApproval, AbsentMeansNone) {
    const Policy p = parse_policy("ports:\n  - port: 22\n", "p.yaml");
    EXPECT_FALSE(p.ports.at(0).approval);
    for (const auto& rule : parse_policy("", "p.yaml").ports) EXPECT_FALSE(rule.approval);
}

TEST(PolicyApproval, DefaultsWithApproversOnly) {
    const Policy p = parse_policy(port_with("      approvers: {groups: [secops]}\n"), "p.yaml");
    const auto& a = p.ports.at(0).approval;
    ASSERT_TRUE(a);
    EXPECT_EQ(a->approvers.groups, std::vector<std::string>{"secops"});
    EXPECT_TRUE(a->approvers.users.empty());
    EXPECT_EQ(a->required, 1u);
    EXPECT_EQ(a->wait, 15min);
    EXPECT_FALSE(a->admins_bypass);
    EXPECT_TRUE(a->notify.empty());
}

TEST(PolicyApproval, EveryKey) {
    const Policy p =
        parse_policy(port_with("      approvers: {users: [ann, bo], groups: [ops]}\n"
                               "      required: 2\n"
                               "      wait: 1h30m\n"
                               "      admins_bypass: true\n"
                               "      notify: [/usr/local/bin/tell, --channel, ops]\n"),
                     "p.yaml");
    const auto& a = p.ports.at(0).approval;
    ASSERT_TRUE(a);
    EXPECT_EQ(a->approvers.users, (std::vector<std::string>{"ann", "bo"}));
    EXPECT_EQ(a->required, 2u);
    EXPECT_EQ(a->wait, 90min);
    EXPECT_TRUE(a->admins_bypass);
    EXPECT_EQ(a->notify, (std::vector<std::string>{"/usr/local/bin/tell", "--channel", "ops"}));
}

TEST(PolicyApproval, RequiredMayExceedUsersWhenGroupsAreListed) {
    const Policy p = parse_policy(
        port_with("      approvers: {users: [ann], groups: [ops]}\n      required: 3\n"), "p.yaml");
    EXPECT_EQ(p.ports.at(0).approval->required, 3u);
}

TEST(PolicyApproval, WaitOfExactly24hIsAccepted) {
    const Policy p =
        parse_policy(port_with("      approvers: {users: [ann]}\n      wait: 24h\n"), "p.yaml");
    EXPECT_EQ(p.ports.at(0).approval->wait, 24h);
}

TEST(PolicyApproval, Refusals) {
    EXPECT_REFUSAL(port_with("      required: 1\n"), 4, 7, "missing required key 'approvers'");
    EXPECT_REFUSAL(port_with("      approvers: {}\n"), 4, 18, "names nobody");
    EXPECT_REFUSAL(port_with("      approvers:\n"), 4, 7, "names nobody");
    EXPECT_REFUSAL(port_with("      approvers: {users: [], groups: []}\n"), 4, 18, "names nobody");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann, bo]}\n      required: 3\n"), 5, 17,
                   "only 2 users are listed");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann]}\n      required: 0\n"), 5, 17,
                   "out of range 1..16");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann]}\n      wait: 0s\n"), 5, 13,
                   "approval.wait");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann]}\n      wait: 25h\n"), 5, 13,
                   "exceeds the 1d limit");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann]}\n      color: red\n"), 5, 7, "color");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann], roles: [x]}\n"), 4, 33, "roles");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann, ann]}\n"), 4, 32, "listed twice");
    EXPECT_REFUSAL(port_with("      approvers: {users: [1000]}\n"), 4, 27, "numeric id");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann]}\n      admins_bypass: yes\n"), 5, 22,
                   "expected true or false");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann]}\n      notify: [tell]\n"), 5, 16,
                   "absolute path");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann]}\n      notify: []\n"), 5, 15,
                   "empty command");
    EXPECT_REFUSAL(port_with("      approvers: {users: [ann]}\n      notify: /bin/tell\n"), 5, 15,
                   "expected a list");
    EXPECT_REFUSAL("ports:\n  - port: 22\n    approval: yes\n", 3, 15, "expected a mapping");
}

}  // namespace
}  // namespace jitd::config
