// An in-memory nf_tables for tests that need no root: table inet jitd, its grant elements with
// timeouts on a FakeClock the test moves, the pickups, and the errors nft::Session reports
// (nft/session.hpp, nft/elements.cpp), so that the engine can be driven through nft::Kernel.
// The test can also act as "another tool": delete an element or the table, add a foreign
// element, or make the next call of a kind fail.
//
// Modelled as a kernel with DESTROYSETELEM (6.3+): a change on a missing table is not_found
// even when it only removes. Element expiry follows the clock's CLOCK_MONOTONIC, like jiffies.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nft/kernel_interface.hpp"
#include "nft/session.hpp"

namespace jitd::test {

using Millis = std::chrono::milliseconds;

// CLOCK_REALTIME, CLOCK_MONOTONIC and CLOCK_BOOTTIME, moved only by the test.
struct FakeClock {
    Millis monotonic{3'600'000};
    Millis wall_offset{1'800'000'000'000 - 3'600'000 + 250};  // realtime − monotonic
    Millis sleep{0};                                          // boottime − monotonic

    std::chrono::sys_time<Millis> realtime() const {
        return std::chrono::sys_time<Millis>(monotonic + wall_offset);
    }
    Millis boottime() const { return monotonic + sleep; }
    void advance(Millis d) { monotonic += d; }
    void step_wall(Millis d) { wall_offset += d; }  // settimeofday: only the wall clock moves
    void suspend(Millis d) {                        // the monotonic clock stands still
        wall_offset += d;
        sleep += d;
    }
};

class FakeKernel {
  public:
    enum class Call { install, apply, list, find, restore, pickups, pending };

    explicit FakeKernel(FakeClock& clock) : clock_(clock) {}

    // A connection to this kernel (like nft::Session::open()), each with its own port id;
    // several may exist at once (a restarted daemon), all see the same state.
    std::unique_ptr<nft::Kernel> connect();

    // What a kernel with this state would answer (the nft::Kernel operations).
    bool table_exists() const { return table_; }
    void install(const nft::TableSpec& spec, const std::vector<nft::Tuple>& pickups);
    void remove_table();
    void apply(const nft::Change& change);
    std::vector<nft::ListedElement> list_elements();
    std::optional<nft::ListedElement> find_element(const nft::ElementKey& key);
    std::vector<nft::Tuple> list_pickups();
    void remove_pickups(const std::vector<nft::Tuple>& tuples);
    void restore(const nft::TableSpec& spec, const std::vector<nft::Element>& grants,
                 const std::vector<nft::PendingElement>& pending = {});
    std::vector<nft::PendingElement> list_pending();
    void add_pending(const std::vector<nft::PendingElement>& elements);
    void remove_pending(const std::vector<std::uint64_t>& keys);
    std::size_t input_rule_count() const { return table_ ? rules_ : 0; }

    // Another tool at work.
    void foreign_add(const nft::Element& e, Millis timeout);  // any key, no checks
    bool foreign_remove(const nft::ElementKey& key);
    void foreign_remove_pending(std::uint64_t key);
    void foreign_delete_table() { remove_table(); }
    void foreign_delete_rule() { rules_ = rules_ > 0 ? rules_ - 1 : 0; }
    void set_foreign_drop_chains(std::vector<std::string> chains) {
        drop_chains_ = std::move(chains);
    }
    const std::vector<std::string>& foreign_drop_chains() const { return drop_chains_; }

    // The next `times` calls of `call` throw `error` (nothing changes).
    void fail(Call call, nft::Error error, int times = 1);

    // What the engine did: every change it applied (as sent), and the restores.
    const std::vector<nft::Change>& applied() const { return applied_; }
    int restores() const { return restores_; }
    const nft::TableSpec& spec() const { return spec_; }

  private:
    struct Stored {
        nft::Element element;
        Millis timeout{0};
        Millis expires{0};  // CLOCK_MONOTONIC
    };
    void purge();
    void injected(Call call);
    const Stored* stored(const nft::ElementKey& key) const;

    FakeClock& clock_;
    bool table_ = false;
    std::size_t rules_ = 0;
    nft::TableSpec spec_;
    std::vector<Stored> elements_;
    std::vector<std::pair<nft::Tuple, Millis>> pickups_;
    struct StoredPending {
        nft::PendingElement element;
        Millis expires{0};  // CLOCK_MONOTONIC
    };
    std::vector<StoredPending> pending_;
    std::vector<std::string> drop_chains_;
    std::map<Call, std::pair<nft::Error, int>> faults_;
    std::vector<nft::Change> applied_;
    int restores_ = 0;
    std::uint32_t next_portid_ = 4000;
};

}  // namespace jitd::test
