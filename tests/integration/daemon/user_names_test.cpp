// User names are never kernel text: for names with every character NSS lets through and names
// longer than 96 bytes, grants work, keep their owner across kill -9 and a restart, and the
// namespace's `nft list ruleset` loads back with `nft -f` into a fresh namespace as the same
// ruleset (the previous release wrote the name into the element comment, which `nft list`
// prints unescaped inside "..."). Also: the previous release's comments are rebuilt after an
// upgrade, and its unreadable ones are removed.
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "agent/wire/timefmt.hpp"
#include "tests/integration/daemon/daemon_test.hpp"
#include "tests/support/odd_users.hpp"

namespace jitd::test {
namespace {

class UserNames : public DaemonTest {
  protected:
    std::string policy() {
        return make_policy({.access = users().access_yaml(),
                            .max_grants_per_user = 3,
                            .always_allow = "[192.0.2.0/24, 2001:db8:ffff::/48]"});
    }
};

std::string nft_out(const Netns& ns, std::vector<std::string> argv) {
    argv.insert(argv.begin(), "nft");
    auto r = run(ns.exec(argv));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

TEST_F(UserNames, HostileNamesWorkSurviveARestartAndTheRulesetLoadsBack) {
    OddUsers::sweep_stale();
    OddUsers odd(users().requester_group());
    const std::string p = "jt" + users().tag();
    // Each under 32 bytes goes through useradd --badname; the last is 100 bytes (userdb) and is
    // what an attacker would pick: it closes the comment and adds all of IPv4 to allow4 (no '/':
    // userdb files are named after the user).
    std::string inject = p + "\" } ; add element inet jitd allow4 { 0.0.0.0-255.255.255.255 } ; #";
    inject += std::string(100 - inject.size(), 'x');
    const std::vector<std::string> names = {p + "\"q", p + "\\q",      p + "}q",
                                            p + ";q",  p + "#q",       p + " q",
                                            p + "é€",  p + "'q$(id)`", inject};
    std::vector<TestUser> odd_users;
    odd_users.reserve(names.size());
    for (const auto& n : names) odd_users.push_back(odd.add(n));
    ASSERT_GE(odd_users.back().name.size(), 96u);

    auto& d = start(policy());
    TcpEchoServer ssh(d.net().server(), 22);
    std::map<std::string, const TestUser*> owner;  // grant id -> user
    for (std::size_t i = 0; i < odd_users.size(); ++i) {
        const TestUser& u = odd_users[i];
        SCOPED_TRACE(u.name);
        const std::string source =
            i == 0 ? std::string(TestAddrs::client4) : "203.0.113." + std::to_string(10 + i);
        auto r = d.request(open_request(22, source, "1h"), u.id);
        ASSERT_TRUE(is_ok(r));
        EXPECT_EQ(r["grant"]["user"], u.name);
        EXPECT_EQ(r["grant"]["uid"], u.id.uid);
        owner[r["grant"]["id"]] = &u;
        // The name is journaled as given.
        auto e = journal_.wait_for({{"JITD_EVENT", "grant"}, {"JITD_GRANT_ID", r["grant"]["id"]}});
        ASSERT_TRUE(e) << "no grant entry";
        EXPECT_EQ(journal_field(*e, "JITD_USER"), u.name);
    }
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22)) << "the grant opens the door";

    // kill -9 and a restart rebuild every grant with its owner.
    d.kill9();
    d.start();
    auto after = by_id(d.request({{"op", "list"}}));
    ASSERT_EQ(after.size(), owner.size());
    for (const auto& [id, u] : owner) {
        SCOPED_TRACE(u->name);
        ASSERT_TRUE(after.count(id)) << "grant lost across the restart";
        EXPECT_EQ(after[id]["user"], u->name);
        EXPECT_EQ(after[id]["uid"], u->id.uid);
    }
    EXPECT_TRUE(tcp_open(TestAddrs::client4, 22));

    // What the kernel holds carries no name, and `nft list ruleset` loads back unchanged.
    const Netns& srv = d.net().server();
    const std::string saved = nft_out(srv, {"list", "ruleset"});
    for (const auto& [id, u] : owner) {
        EXPECT_EQ(saved.find(u->name), std::string::npos) << u->name;
        EXPECT_NE(saved.find("comment \"jitd:" + id + ":" + std::to_string(u->id.uid) + ":"),
                  std::string::npos)
            << saved;
    }
    const std::string file = d.dir() + "/saved.nft";
    {
        std::ofstream out(file);
        out << saved;
    }
    Netns fresh("jitdt-" + std::to_string(::getpid()) + "-names");
    auto loaded = run(fresh.exec({"nft", "-f", file}));
    ASSERT_EQ(loaded.exit_code, 0) << "nft -f refused the saved ruleset: " << loaded.err << "\n"
                                   << saved;
    const std::string original = nft_out(srv, {"-s", "list", "ruleset"});
    EXPECT_EQ(nft_out(fresh, {"-s", "list", "ruleset"}), original);
    EXPECT_EQ(original.find("0.0.0.0"), std::string::npos);

    // Ownership after the restart is by uid: another odd user may not revoke, the owner may.
    const auto& [first_id, first_owner] = *owner.begin();
    const TestUser& other = first_owner == &odd_users[0] ? odd_users[1] : odd_users[0];
    EXPECT_TRUE(
        is_error(d.request({{"op", "revoke"}, {"id", first_id}}, other.id), "not_authorized"));
    EXPECT_TRUE(is_ok(d.request({{"op", "revoke"}, {"id", first_id}}, first_owner->id)));
}

// Elements written by the previous release ("jitd:<id>:<name>:<start>") are grants again
// after an upgrade when the name is portable and known; an unreadable jitd element is removed;
// an element someone else put in our set is left alone.
TEST_F(UserNames, PreviousReleaseCommentsAreRebuiltAfterAnUpgrade) {
    auto& d = start(policy());
    d.kill9();
    const TestUser& r = users().requester;
    const std::string start =
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count());
    const Netns& srv = d.net().server();
    auto add = [&](const std::string& source, const std::string& comment) {
        auto res = run(srv.exec({"nft", "add", "element", "inet", "jitd", "grant4_host", "{",
                                 source + " . tcp . 22", "timeout", "1h", "comment",
                                 "\"" + comment + "\"", "}"}));
        ASSERT_EQ(res.exit_code, 0) << res.err;
    };
    add(TestAddrs::client4, "jitd:g-00000000aaa1:" + r.name + ":" + start);
    add("203.0.113.21", "jitd:g-00000000aaa2:no such user here:" + start);
    add("203.0.113.22", "jitd:g-00000000aaa3:jitdnosuchuser:" + start);
    add("203.0.113.23", "added by hand");
    d.start();

    auto list = by_id(d.request({{"op", "list"}}));
    ASSERT_EQ(list.size(), 1u) << d.log();
    ASSERT_TRUE(list.count("g-00000000aaa1"));
    EXPECT_EQ(list["g-00000000aaa1"]["user"], r.name);
    EXPECT_EQ(list["g-00000000aaa1"]["uid"], r.id.uid);
    EXPECT_EQ(list["g-00000000aaa1"]["start"],
              wire::format_iso8601(wire::SysSeconds{std::chrono::seconds{std::stoll(start)}}));
    // The owner, by uid, may extend it; the extended element carries the new format.
    ASSERT_TRUE(
        is_ok(d.request({{"op", "extend"}, {"id", "g-00000000aaa1"}, {"duration", "30m"}}, r.id)));
    const std::string table = d.ruleset();
    EXPECT_NE(table.find("jitd:g-00000000aaa1:" + std::to_string(r.id.uid) + ":" + start),
              std::string::npos)
        << table;
    EXPECT_EQ(table.find("no such user here"), std::string::npos) << "unreadable: removed";
    EXPECT_EQ(table.find("jitdnosuchuser"), std::string::npos) << "unknown name: removed";
    EXPECT_NE(table.find("added by hand"), std::string::npos) << "not ours: left alone";
    EXPECT_NE(d.log().find("removing it"), std::string::npos) << d.log();
}

}  // namespace
}  // namespace jitd::test
