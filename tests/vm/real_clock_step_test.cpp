// The wall clock stepped for real, an hour forward and back, while grants are live: only in
// the test VM (scripts/kernels sets JITD_VM=1), never on a host. The kernel's element timeouts
// run on its monotonic clock and ignore the steps; jitd hears of each step (timerfd
// TFD_TIMER_CANCEL_ON_SET) and must keep its listing, revoke and the journal's expire records
// consistent with what the kernel holds. The journal is read whole (Journal(false)): entries
// written after the step back are stamped before the test began.
#include <time.h>

#include <cstdlib>

#include "tests/integration/daemon/daemon_test.hpp"

namespace jitd::test {
namespace {

using std::chrono::seconds;

// Steps CLOCK_REALTIME by an offset; puts the clock back (real time elapsed included) when
// the test ends, however it ends.
class WallClock {
  public:
    WallClock() {
        ::clock_gettime(CLOCK_MONOTONIC, &mono0_), ::clock_gettime(CLOCK_REALTIME, &real0_);
    }
    ~WallClock() { set_offset(0); }
    WallClock(const WallClock&) = delete;
    WallClock& operator=(const WallClock&) = delete;

    // From now on the wall clock reads true time + `offset` seconds.
    bool set_offset(long offset) {
        timespec mono{};
        ::clock_gettime(CLOCK_MONOTONIC, &mono);
        timespec t = real0_;
        t.tv_sec += mono.tv_sec - mono0_.tv_sec + offset;
        t.tv_nsec += mono.tv_nsec - mono0_.tv_nsec;
        if (t.tv_nsec < 0) t.tv_nsec += 1000000000L, --t.tv_sec;
        if (t.tv_nsec >= 1000000000L) t.tv_nsec -= 1000000000L, ++t.tv_sec;
        return ::clock_settime(CLOCK_REALTIME, &t) == 0;
    }

  private:
    timespec mono0_{}, real0_{};
};

class RealClockStep : public DaemonTest {
  protected:
    void SetUp() override {
        const char* vm = std::getenv("JITD_VM");
        if (vm == nullptr || std::string(vm) != "1")
            GTEST_SKIP() << "steps the real clock: runs only inside scripts/kernels' VM";
        DaemonTest::SetUp();
    }
    bool kernel_holds(const std::string& source) {
        return daemon().ruleset().find(source + " . tcp . 22") != std::string::npos;
    }
    std::optional<json> listed(const std::string& id) {
        return find_grant(daemon().request({{"op", "list"}}), id);
    }
    // The listed end of `id` minus `end`, in seconds (nullopt: not listed).
    std::optional<long> moved(const std::string& id, std::chrono::sys_seconds end) {
        auto g = listed(id);
        if (!g) return std::nullopt;
        return (grant_time(*g, "end") - end).count();
    }
};

TEST_F(RealClockStep, ForwardAndBackAnHourWhileGrantsAreLive) {
    Journal all(false);
    WallClock clock;
    auto& d = start();
    const auto& who = users().requester.id;
    auto long_grant = d.request(open_request(22, TestAddrs::client4, "50m"), who);
    auto short_grant = d.request(open_request(22, TestAddrs::client4b, "20s"), who);
    ASSERT_TRUE(is_ok(long_grant) && is_ok(short_grant)) << long_grant << short_grant;
    const std::string id = long_grant["grant"]["id"], short_id = short_grant["grant"]["id"];
    const auto end = grant_time(long_grant["grant"], "end");
    ASSERT_TRUE(kernel_holds(TestAddrs::client4) && kernel_holds(TestAddrs::client4b));

    // Forward: the long grant's wall-clock end moves with the clock (its remaining time is
    // the kernel's), and nothing is expired early.
    ASSERT_TRUE(clock.set_offset(3600));
    ASSERT_TRUE(poll_until(
        [&] {
            auto m = moved(id, end);
            return m && *m >= 3598 && *m <= 3602;
        },
        seconds(10)))
        << "listed end did not follow the step: " << moved(id, end).value_or(-1);
    EXPECT_TRUE(kernel_holds(TestAddrs::client4));
    // The short grant ends by the kernel's clock; its expire is journaled once it is gone.
    auto x = all.wait_for({{"JITD_EVENT", "expire"}, {"JITD_GRANT_ID", short_id}}, seconds(90));
    ASSERT_TRUE(x) << all.dump();
    EXPECT_FALSE(kernel_holds(TestAddrs::client4b)) << "expire journaled while the door is open";
    EXPECT_FALSE(listed(short_id));
    EXPECT_TRUE(all.entries({{"JITD_EVENT", "expire"}, {"JITD_GRANT_ID", id}}).empty())
        << "the step made jitd expire a grant the kernel holds: " << all.dump();

    // Back: the end returns to where it was.
    ASSERT_TRUE(clock.set_offset(0));
    ASSERT_TRUE(poll_until(
        [&] {
            auto m = moved(id, end);
            return m && *m >= -2 && *m <= 2;
        },
        seconds(10)))
        << "listed end did not follow the step back: " << moved(id, end).value_or(-1);
    EXPECT_TRUE(kernel_holds(TestAddrs::client4));

    // Revoke still finds the grant in the kernel and journals exactly that.
    auto r = d.request({{"op", "revoke"}, {"id", id}}, who);
    ASSERT_TRUE(is_ok(r)) << r;
    EXPECT_FALSE(kernel_holds(TestAddrs::client4));
    EXPECT_FALSE(listed(id));
    ASSERT_TRUE(all.wait_for({{"JITD_EVENT", "revoke"}, {"JITD_GRANT_ID", id}})) << all.dump();
    EXPECT_TRUE(all.entries({{"JITD_EVENT", "expire"}, {"JITD_GRANT_ID", id}}).empty())
        << all.dump();
}

}  // namespace
}  // namespace jitd::test
