// The seam between the daemon's decisions and nf_tables: everything the grant engine asks of
// the kernel. nft::Session implements it over netlink; tests/support/fake_kernel.hpp implements
// it in memory, so the engine can be tested without root. Errors are nft::Error, with the
// kinds and meanings documented on nft::Session (nft/session.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nft/model.hpp"

namespace jitd::nft {

class Kernel {
  public:
    virtual ~Kernel() = default;

    virtual bool table_exists() = 0;
    // Creates what is missing, replaces the policy part; grant elements are kept. `pickups`
    // go to the pickup sets in the same transaction.
    virtual void install(const TableSpec& spec, const std::vector<Tuple>& pickups) = 0;
    // Deletes `table inet jitd` (no error if it is absent).
    virtual void remove_table() = 0;
    // One transaction, all or nothing (see Change for replace and absent removals).
    virtual void apply(const Change& change) = 0;
    virtual std::vector<ListedElement> list_elements() = 0;
    // nullopt when the kernel no longer has exactly this key.
    virtual std::optional<ListedElement> find_element(const ElementKey& key) = 0;
    virtual std::vector<Tuple> list_pickups() = 0;
    virtual void remove_pickups(const std::vector<Tuple>& tuples) = 0;
    // install() with the grant sets holding exactly `grants` and the pending set exactly
    // `pending`, one transaction.
    virtual void restore(const TableSpec& spec, const std::vector<Element>& grants,
                         const std::vector<PendingElement>& pending) = 0;
    // The `pending` set: its elements, adding some (one transaction; an existing key is an
    // error), and removing some (absent ones are no error).
    virtual std::vector<PendingElement> list_pending() = 0;
    virtual void add_pending(const std::vector<PendingElement>& elements) = 0;
    virtual void remove_pending(const std::vector<std::uint64_t>& keys) = 0;
    // The port id jitd's own transactions carry in nf_tables events.
    virtual std::uint32_t portid() const = 0;
    // Rules in the input chain now (0 without the table), and how many install() puts there.
    virtual std::size_t input_rule_count() = 0;
    // Rules install(spec) puts there (the remote intake adds two).
    virtual std::size_t expected_input_rules(const TableSpec& spec) const = 0;
    // Other tables' input base chains with policy drop ("inet filter input").
    virtual std::vector<std::string> foreign_input_drop_chains() = 0;

  protected:
    Kernel() = default;
    Kernel(const Kernel&) = default;
    Kernel(Kernel&&) = default;
    Kernel& operator=(const Kernel&) = default;
    Kernel& operator=(Kernel&&) = default;
};

}  // namespace jitd::nft
