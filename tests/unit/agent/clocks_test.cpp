// The book's wall-clock frame on CLOCK_MONOTONIC, the native journal datagram, and re-timing
// grants in the book.
#include <gtest/gtest.h>

#include "agent/daemon/clocks.hpp"
#include "agent/daemon/grant_book.hpp"
#include "agent/daemon/journal_socket.hpp"
#include "agent/daemon/policy_bridge.hpp"

namespace jitd::agent {
namespace {

using namespace std::chrono_literals;

const wire::SysSeconds kT0{std::chrono::seconds{1800000000}};

ClockSample at(Millis realtime, Millis monotonic, Millis boottime) {
    return {SysMillis(realtime), monotonic, boottime};
}

TEST(BookClock, FollowsMonotonicAndIgnoresAWallClockStepUntilSynced) {
    const Millis t0 = std::chrono::duration_cast<Millis>(kT0.time_since_epoch());
    BookClock clock(at(t0, 1000s, 1000s));
    EXPECT_EQ(clock.now(at(t0 + 10s, 1010s, 1010s)), SysMillis(t0 + 10s));
    EXPECT_EQ(clock.monotonic_at(kT0 + 60s), Millis(1060s));
    EXPECT_FALSE(clock.out_of_step(at(t0 + 10s + 200ms, 1010s, 1010s))) << "slew, not a step";

    const ClockSample stepped = at(t0 + 3610s, 1010s, 1010s);  // an hour forward
    EXPECT_TRUE(clock.out_of_step(stepped));
    EXPECT_EQ(clock.wall_step(stepped), Millis(3600s));
    EXPECT_EQ(clock.now(stepped), SysMillis(t0 + 10s)) << "the book keeps its frame until synced";
    clock.sync(stepped);
    EXPECT_FALSE(clock.out_of_step(stepped));
    EXPECT_EQ(clock.now(stepped), SysMillis(t0 + 3610s));
    EXPECT_EQ(clock.monotonic_at(kT0 + 3660s), Millis(1060s)) << "the same deadline";
}

TEST(BookClock, SeesASuspend) {
    const Millis t0 = std::chrono::duration_cast<Millis>(kT0.time_since_epoch());
    BookClock clock(at(t0, 1000s, 1000s));
    // Slept 5 minutes: BOOTTIME and REALTIME moved on, MONOTONIC (and jiffies) did not.
    const ClockSample resumed = at(t0 + 301s, 1001s, 1301s);
    EXPECT_TRUE(clock.out_of_step(resumed));
    EXPECT_EQ(clock.slept(resumed), Millis(300s));
    clock.sync(resumed);
    EXPECT_EQ(clock.slept(resumed), Millis(0));
}

TEST(JournalDatagram, PlainAndBinarySafeFields) {
    const std::string d = journal_datagram({{"MESSAGE", "hello"}, {"JITD_REASON", "a\nb"}});
    const std::string binary =
        std::string("JITD_REASON\n") + std::string("\x03\0\0\0\0\0\0\0", 8) + "a\nb\n";
    EXPECT_EQ(d, "MESSAGE=hello\n" + binary);
}

TEST(GrantBook, RetimeMovesStartAndEndTogether) {
    GrantBook book;
    LiveGrant g;
    g.source = config::parse_cidr("203.0.113.7").value;
    g.grant.id = "g-000000000001";
    g.grant.user = "alice";
    g.grant.port = 22;
    g.grant.source = g.source.str_with_len();
    g.grant.start = kT0;
    g.grant.end = kT0 + 1h;
    book.add(g);
    book.retime(g.grant.id, kT0 + 2h);
    EXPECT_EQ(book.find(g.grant.id)->grant.start, kT0 + 1h);
    EXPECT_EQ(book.find(g.grant.id)->grant.end, kT0 + 2h);
    EXPECT_EQ(book.next_end(), kT0 + 2h);
    EXPECT_EQ(book.next_end_after(kT0 + 1h), kT0 + 2h);
    EXPECT_FALSE(book.next_end_after(kT0 + 2h));
}

}  // namespace
}  // namespace jitd::agent
