// Engine::handle_batch over the in-memory kernel: a run of opens is one transaction, each
// decision sees the ones before it, one refused element fails only its request, barriers keep
// the arrival order, and a grant the journal refuses is rolled back alone.
#include "tests/unit/agent/engine_harness.hpp"

namespace jitd::agent::testing {
namespace {

using nft::L4;

std::string open_line(const std::string& source, std::uint16_t port = 22) {
    return json{{"op", "open"}, {"port", port}, {"source", source}, {"duration", "10m"}}.dump();
}

// The lines of (peer, line) pairs, answered by one handle_batch call.
std::vector<json> batch(EngineHarness& h,
                        const std::vector<std::pair<const Peer*, std::string>>& in) {
    std::vector<BatchLine> lines;
    for (const auto& [p, l] : in) lines.push_back({p, l});
    std::vector<json> out;
    for (const auto& a : h.engine().handle_batch(lines)) out.push_back(json::parse(a.line));
    return out;
}

std::size_t grant_elements(EngineHarness& h) {
    return h.kernel.list_elements().size();
}

// The journal takes every record but the second `grant` one.
void refuse_second_grant_record(EngineHarness& h) {
    set_journal_sink([&h, grants = 0](const JournalFields& f) mutable {
        std::map<std::string, std::string> m(f.begin(), f.end());
        if (m["JITD_EVENT"] == "grant" && ++grants == 2) return JournalSend::unavailable;
        h.journal.push_back(f);
        return JournalSend::written;
    });
}

TEST(EngineBatch, ARunOfOpensIsOneTransactionJournaledInOrder) {
    EngineHarness h;
    const std::size_t before = h.kernel.applied().size();
    std::vector<std::pair<const Peer*, std::string>> in;
    for (int i = 0; i < 3; ++i)
        in.emplace_back(&kAlice, open_line("203.0.113." + std::to_string(i)));
    for (int i = 0; i < 3; ++i)
        in.emplace_back(&kBob, open_line("198.51.100." + std::to_string(i)));
    const auto answers = batch(h, in);
    ASSERT_EQ(answers.size(), 6u);
    ASSERT_EQ(h.kernel.applied().size(), before + 1);
    EXPECT_EQ(h.kernel.applied().back().add.size(), 6u);
    EXPECT_EQ(grant_elements(h), 6u);
    const auto grants = h.events("grant");
    ASSERT_EQ(grants.size(), 6u);
    for (std::size_t i = 0; i < 6; ++i) {
        EXPECT_EQ(grants[i].at("JITD_GRANT_ID"), id_of(answers[i])) << i;
        EXPECT_EQ(answers[i]["grant"]["source"],
                  json::parse(in[i].second)["source"].get<std::string>() + "/32");
    }
}

TEST(EngineBatch, PerUserLimitCountsTheEarlierOpensOfTheBatch) {
    EngineHarness h;  // max_grants_per_user: 3
    std::vector<std::pair<const Peer*, std::string>> in;
    for (int i = 0; i < 6; ++i)
        in.emplace_back(&kAlice, open_line("203.0.113." + std::to_string(i)));
    const auto answers = batch(h, in);
    int ok = 0;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        EXPECT_EQ(code(answers[i]) == "ok", i < 3) << i;
        ok += code(answers[i]) == "ok";
    }
    EXPECT_EQ(ok, 3);
    EXPECT_EQ(grant_elements(h), 3u);
    EXPECT_EQ(h.engine().book().size(), 3u);
    EXPECT_EQ(h.events("grant").size(), 3u);
    EXPECT_EQ(h.events("deny").size(), 3u);
}

TEST(EngineBatch, RacingForOneSourceLeavesExactlyOneGrant) {
    EngineHarness h;
    std::vector<std::pair<const Peer*, std::string>> in;
    for (int i = 0; i < 8; ++i)
        in.emplace_back(i % 2 == 0 ? &kAlice : &kBob, open_line("203.0.113.9"));
    const auto answers = batch(h, in);
    // Alice's first is granted, each of her later ones supersedes the one before; Bob's
    // overlap another's grant and are refused.
    std::string last;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        if (i % 2 == 1) {
            EXPECT_NE(code(answers[i]), "ok") << answers[i].dump();
            continue;
        }
        const std::string id = id_of(answers[i]);
        if (!last.empty()) {
            EXPECT_EQ(answers[i]["superseded"], last) << i;
        }
        last = id;
    }
    EXPECT_EQ(h.engine().book().size(), 1u);
    ASSERT_NE(h.engine().book().find(last), nullptr);
    const auto listed = h.kernel.list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_NE(listed[0].comment.find(last), std::string::npos);
    EXPECT_EQ(h.events("grant").size(), 4u);
    EXPECT_EQ(h.events("supersede").size(), 3u);
    EXPECT_EQ(h.kernel.applied().back().remove.size(), 0u);  // none reached the kernel before
}

TEST(EngineBatch, OneElementTheKernelRefusesFailsOnlyItsRequest) {
    EngineHarness h;
    // Another tool's prefix: an open inside it overlaps, which only the kernel knows.
    h.kernel.foreign_add({key("10.1.0.0/16", L4::tcp, 22), 600s, "other tool"}, 600s);
    std::vector<std::pair<const Peer*, std::string>> in{{&kAlice, open_line("203.0.113.1")},
                                                        {&kBob, open_line("198.51.100.1")},
                                                        {&kAlice, open_line("10.1.2.0/24")},
                                                        {&kBob, open_line("198.51.100.2")},
                                                        {&kAlice, open_line("203.0.113.2")}};
    const auto answers = batch(h, in);
    for (std::size_t i = 0; i < answers.size(); ++i)
        EXPECT_EQ(code(answers[i]), i == 2 ? "internal" : "ok") << answers[i].dump();
    EXPECT_NE(answers[2]["error"]["message"].get<std::string>().find("10.1.2.0/24"),
              std::string::npos);
    EXPECT_EQ(grant_elements(h), 5u);  // four grants and the foreign one
    EXPECT_EQ(h.engine().book().size(), 4u);
    EXPECT_EQ(h.events("grant").size(), 4u);
    EXPECT_EQ(h.events("deny").size(), 1u);
}

TEST(EngineBatch, OtherOpsAreBarriersInArrivalOrder) {
    EngineHarness h;
    const std::size_t before = h.kernel.applied().size();
    const auto answers = batch(h, {{&kAlice, open_line("203.0.113.1")},
                                   {&kAlice, R"({"op":"list"})"},
                                   {&kAlice, "not json"},
                                   {&kAlice, open_line("203.0.113.2")}});
    const std::string first = id_of(answers[0]);
    ASSERT_EQ(answers[1]["grants"].size(), 1u);
    EXPECT_EQ(answers[1]["grants"][0]["id"], first);
    EXPECT_EQ(code(answers[2]), "bad_request");
    id_of(answers[3]);
    EXPECT_EQ(h.kernel.applied().size(), before + 2);
}

TEST(EngineBatch, AGrantTheJournalRefusesIsRolledBackAlone) {
    EngineHarness h;
    refuse_second_grant_record(h);
    const auto answers = batch(h, {{&kAlice, open_line("203.0.113.1")},
                                   {&kBob, open_line("198.51.100.1")},
                                   {&kAlice, open_line("203.0.113.2")}});
    EXPECT_EQ(code(answers[0]), "ok");
    EXPECT_EQ(code(answers[1]), "audit_unavailable");
    EXPECT_EQ(code(answers[2]), "ok");
    EXPECT_FALSE(h.kernel.find_element(key("198.51.100.1", L4::tcp, 22)));
    EXPECT_TRUE(h.kernel.find_element(key("203.0.113.1", L4::tcp, 22)));
    EXPECT_TRUE(h.kernel.find_element(key("203.0.113.2", L4::tcp, 22)));
    EXPECT_EQ(h.engine().book().size(), 2u);
}

TEST(EngineBatch, ASupersedeWhoseGrantTheJournalRefusesLeavesTheOldOne) {
    EngineHarness h;
    refuse_second_grant_record(h);
    const auto answers =
        batch(h, {{&kAlice, open_line("203.0.113.1")}, {&kAlice, open_line("203.0.113.1")}});
    const std::string first = id_of(answers[0]);
    EXPECT_EQ(code(answers[1]), "audit_unavailable");
    ASSERT_EQ(h.engine().book().size(), 1u);
    EXPECT_NE(h.engine().book().find(first), nullptr);
    const auto listed = h.kernel.list_elements();
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_NE(listed[0].comment.find(first), std::string::npos);
    EXPECT_TRUE(h.events("supersede").empty());
}

}  // namespace
}  // namespace jitd::agent::testing
