// Which nf_tables events count as someone else's change (agent/daemon/table_changes.hpp).
#include "agent/daemon/table_changes.hpp"

#include <gtest/gtest.h>

namespace jitd::agent {
namespace {

using nft::Burst;
using nft::EventRead;
using nft::Generation;
using nft::TableEvent;
using Object = TableEvent::Object;

constexpr std::uint32_t kOwnPort = 4000;
constexpr pid_t kOwnPid = 321;

nft::ElementKey key(const char* source) {
    return {*nft::parse_prefix(source), nft::L4::tcp, 22};
}

TableEvent event(Object o, bool added, std::uint32_t portid, std::string name = "") {
    TableEvent e;
    e.object = o;
    e.added = added;
    e.portid = portid;
    e.name = std::move(name);
    return e;
}

Burst burst(std::vector<TableEvent> events, std::optional<Generation> gen) {
    return Burst{std::move(events), std::move(gen)};
}

Generation gen(std::uint32_t pid, const char* comm, std::uint32_t portid) {
    return Generation{7, pid, comm, portid};
}

const auto kNoneLive = [](const nft::ElementKey&) { return false; };

TEST(TableChanges, OwnBurstsByPortidOrPidAreIgnored) {
    EventRead r;
    r.bursts.push_back(burst({event(Object::table, false, kOwnPort)}, gen(999, "x", kOwnPort)));
    r.bursts.push_back(burst({event(Object::set, false, 55)}, gen(kOwnPid, "jitd", 55)));
    r.bursts.push_back(burst({event(Object::chain, true, kOwnPort)}, std::nullopt));
    EXPECT_TRUE(foreign_changes(r, kOwnPort, kOwnPid, kNoneLive).empty());
}

TEST(TableChanges, ATableDeleteStandsForEverythingInIt) {
    EventRead r;
    std::vector<TableEvent> evs(11, event(Object::rule, false, 77, "input"));
    evs.push_back(event(Object::set, false, 77, "grant4_host"));
    evs.push_back(event(Object::table, false, 77));
    r.bursts.push_back(burst(evs, gen(4242, "nft", 77)));
    auto c = foreign_changes(r, kOwnPort, kOwnPid, kNoneLive);
    EXPECT_EQ(c.changed, std::vector<std::string>{"deleted table inet jitd"});
    EXPECT_EQ(c.changed_by, std::vector<std::string>{"4242 nft"});
}

TEST(TableChanges, RulesOfOneChainAreOneLine) {
    EventRead r;
    r.bursts.push_back(
        burst({event(Object::rule, false, 77, "input"), event(Object::rule, false, 77, "input")},
              gen(10, "nft", 77)));
    auto c = foreign_changes(r, kOwnPort, kOwnPid, kNoneLive);
    EXPECT_EQ(c.changed, std::vector<std::string>{"deleted 2 rules of chain input"});
}

TEST(TableChanges, DeletedElementsMatterOnlyWhenTheyWereLive) {
    TableEvent gone = event(Object::element, false, 0, "grant4_host");
    gone.elements = 1;
    gone.grant_keys = {key("198.51.100.2")};
    EventRead r;
    r.bursts.push_back(burst({gone}, std::nullopt));
    EXPECT_TRUE(foreign_changes(r, kOwnPort, kOwnPid, kNoneLive).empty())
        << "an ended grant's element going is no change";
    auto c = foreign_changes(r, kOwnPort, kOwnPid,
                             [](const nft::ElementKey& k) { return k == key("198.51.100.2"); });
    ASSERT_EQ(c.changed.size(), 1u);
    EXPECT_EQ(c.changed[0], "deleted 1 element of set grant4_host: 198.51.100.2 . tcp . 22");
    EXPECT_EQ(c.changed_by, std::vector<std::string>{"the kernel"});
}

TEST(TableChanges, AForeignAddAlwaysMattersAndEachProcessIsNamedOnce) {
    TableEvent add = event(Object::element, true, 77, "grant4_host");
    add.elements = 1;
    add.grant_keys = {key("198.51.100.3")};
    EventRead r;
    r.bursts.push_back(burst({add}, gen(10, "nft", 77)));
    r.bursts.push_back(burst({add}, gen(10, "nft", 77)));
    r.bursts.push_back(burst({add}, gen(11, "firewalld", 78)));
    auto c = foreign_changes(r, kOwnPort, kOwnPid, kNoneLive);
    EXPECT_EQ(c.changed.size(), 3u);
    EXPECT_EQ(c.changed_by, (std::vector<std::string>{"10 nft", "11 firewalld"}));
}

}  // namespace
}  // namespace jitd::agent
