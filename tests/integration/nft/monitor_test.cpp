// nf_tables events against the real kernel, with the real `nft` as the other tool: which
// events reach the monitor, that jitd's own transactions carry its session's netlink port id
// (and its pid in NEWGEN), that `nft` is named by pid and comm, and that restore() puts back
// the table and exactly the given grants in one transaction.
#include <unistd.h>

#include <algorithm>
#include <optional>

#include "nft/monitor.hpp"
#include "tests/integration/nft/fixture.hpp"

namespace jitd::nft::testing {
namespace {

using namespace std::chrono_literals;
using jitd::test::poll_until;

class Monitoring : public NftTest {
  protected:
    void SetUp() override {
        NftTest::SetUp();
        if (IsSkipped()) return;
        session().install(default_spec());
        net().server().run([&] { monitor_.emplace(Monitor::open()); });
    }
    // Polls until at least one burst with a generation was read; returns all bursts read.
    std::vector<Burst> bursts() {
        std::vector<Burst> all;
        poll_until(
            [&] {
                EventRead r = monitor_->read();
                EXPECT_FALSE(r.overflow);
                for (auto& b : r.bursts) all.push_back(std::move(b));
                return !all.empty() && all.back().generation.has_value();
            },
            5s);
        return all;
    }
    std::vector<ElementKey> keys() {
        std::vector<ElementKey> out;
        for (const auto& l : session().list_elements()) out.push_back(l.key);
        std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.str() < b.str(); });
        return out;
    }
    bool has_event(const std::vector<Burst>& bs, TableEvent::Object o, bool added,
                   const std::string& name = "") {
        for (const auto& b : bs)
            for (const auto& e : b.events)
                if (e.object == o && e.added == added && (name.empty() || e.name == name))
                    return true;
        return false;
    }

    std::optional<Monitor> monitor_;
};

TEST_F(Monitoring, OwnTransactionsCarryTheSessionPortidAndPid) {
    ASSERT_NE(session().portid(), 0u);
    add(E("198.51.100.2", L4::tcp, kSsh, kLong));
    const auto bs = bursts();
    ASSERT_EQ(bs.size(), 1u);
    ASSERT_EQ(bs[0].events.size(), 1u);
    const TableEvent& e = bs[0].events[0];
    EXPECT_EQ(e.object, TableEvent::Object::element);
    EXPECT_TRUE(e.added);
    EXPECT_EQ(e.name, "grant4_host");
    EXPECT_EQ(e.portid, session().portid()) << "nlmsg_pid of an event is the sender's port id";
    ASSERT_EQ(e.grant_keys.size(), 1u);
    EXPECT_EQ(e.grant_keys[0], K("198.51.100.2", L4::tcp, kSsh));
    ASSERT_TRUE(bs[0].generation);
    EXPECT_EQ(bs[0].generation->portid, session().portid());
    // NEWGEN names the committing task; this test's main thread has the process's pid.
    EXPECT_EQ(bs[0].generation->pid, static_cast<std::uint32_t>(getpid()));
    EXPECT_GT(bs[0].generation->id, 0u);
}

TEST_F(Monitoring, AnotherToolIsNamedByPidAndComm) {
    nft({"add", "element", "inet", "jitd", "grant4_net", "{ 198.51.100.0/30 . tcp . 2222 }"});
    const auto bs = bursts();
    ASSERT_FALSE(bs.empty());
    const Burst& b = bs.back();
    ASSERT_TRUE(b.generation);
    EXPECT_EQ(b.generation->comm, "nft");
    EXPECT_GT(b.generation->pid, 0u);
    EXPECT_NE(b.generation->portid, session().portid());
    ASSERT_EQ(b.events.size(), 1u);
    EXPECT_NE(b.events[0].portid, session().portid());
    ASSERT_EQ(b.events[0].grant_keys.size(), 1u);
    EXPECT_EQ(b.events[0].grant_keys[0], K("198.51.100.0/30", L4::tcp, kSsh));
    EXPECT_NE(b.events[0].str().find("198.51.100.0/30 . tcp . 2222"), std::string::npos);
}

TEST_F(Monitoring, FlushRulesetDeletesTheTableAndOtherTablesAreNotReported) {
    nft({"add", "table", "inet", "other"});
    nft({"flush", "ruleset"});
    const auto bs = bursts();
    EXPECT_TRUE(has_event(bs, TableEvent::Object::table, false));
    EXPECT_TRUE(has_event(bs, TableEvent::Object::chain, false, "input"));
    for (const auto& b : bs)
        for (const auto& e : b.events) EXPECT_NE(e.portid, session().portid());
    EXPECT_FALSE(session().table_exists());
}

TEST_F(Monitoring, RestorePutsBackTheTableAndExactlyTheGivenGrants) {
    const Element kept = E("198.51.100.2", L4::tcp, kSsh, kLong, "jitd:kept");
    const Element net = E("198.51.100.8/29", L4::tcp, kSsh, kLong, "jitd:net");
    add(kept);
    nft({"add", "element", "inet", "jitd", "grant4_host", "{ 198.51.100.3 . tcp . 2222 }"});
    nft({"flush", "set", "inet", "jitd", "grant4_net"});
    const std::string handle_line = nft({"-a", "list", "chain", "inet", "jitd", "input"});
    const auto pos = handle_line.rfind("drop # handle ");
    ASSERT_NE(pos, std::string::npos) << handle_line;
    nft({"delete", "rule", "inet", "jitd", "input", "handle",
         std::to_string(std::stoul(handle_line.substr(pos + 14)))});
    EXPECT_EQ(session().input_rule_count(), Session::expected_rule_count() - 1);

    session().restore(default_spec(), {kept, net});
    EXPECT_EQ(session().input_rule_count(), Session::expected_rule_count());
    std::vector<ElementKey> want{kept.key, net.key};
    std::sort(want.begin(), want.end(), [](auto& a, auto& b) { return a.str() < b.str(); });
    EXPECT_EQ(keys(), want) << "the foreign element is gone, the given ones are there";
    for (const auto& l : session().list_elements())
        EXPECT_TRUE(l.comment == "jitd:kept" || l.comment == "jitd:net") << l.comment;

    nft({"flush", "ruleset"});
    ASSERT_FALSE(session().table_exists());
    session().restore(default_spec(), {kept});
    EXPECT_TRUE(session().table_exists());
    EXPECT_EQ(keys(), std::vector<ElementKey>{kept.key});
    EXPECT_EQ(session().input_rule_count(), Session::expected_rule_count());
}

TEST_F(Monitoring, RestoreOfManyGrantsIsOneTransaction) {
    std::vector<Element> many;
    for (int i = 0; i < 3000; ++i) {
        const std::string src = "10." + std::to_string(i / 65536) + "." +
                                std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
        many.push_back(E(src, L4::tcp, kSsh, kLong, "jitd:g" + std::to_string(i)));
    }
    many.push_back(E("10.200.0.0/16", L4::udp, kSsh, kLong));
    nft({"flush", "ruleset"});
    (void)bursts();
    session().restore(default_spec(), many);
    EXPECT_EQ(session().list_elements().size(), many.size());
    const auto bs = bursts();
    ASSERT_FALSE(bs.empty());
    std::size_t gens = 0;
    for (const auto& b : bs) gens += b.generation ? 1 : 0;
    EXPECT_EQ(gens, 1u) << "one transaction, one generation";
}

TEST_F(Monitoring, OtherTablesDroppingOnInputAreListed) {
    EXPECT_TRUE(session().foreign_input_drop_chains().empty());
    jitd::test::run_ok(net().server().exec(
        {"nft",
         "add table inet filter; add chain inet filter input { type filter hook input "
         "priority 0; policy drop; }; add table ip fw; add chain ip fw out { type filter "
         "hook output priority 0; policy drop; }; add chain ip fw in { type filter hook "
         "input priority 0; policy accept; }"}));
    EXPECT_EQ(session().foreign_input_drop_chains(), std::vector<std::string>{"inet filter input"});
}

}  // namespace
}  // namespace jitd::nft::testing
