// A netlink connection to nf_tables and the operations jitd needs, each one transaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nft/kernel_interface.hpp"
#include "nft/model.hpp"

namespace jitd::nft {

class Error : public std::runtime_error {
  public:
    enum class Kind { kernel, overlap, exists, not_found, unsupported, io };
    Error(Kind kind, int err, const std::string& what,
          std::optional<ElementKey> key = std::nullopt);
    Kind kind() const { return kind_; }
    int err() const { return errno_; }  // positive errno from the kernel, 0 if none
    // The element a kernel error was traced back to (for batches of elements).
    const std::optional<ElementKey>& key() const { return key_; }

  private:
    Kind kind_;
    int errno_;
    std::optional<ElementKey> key_;
};

struct Features {
    bool destroy_element = false;  // NFT_MSG_DESTROYSETELEM (Linux 6.3)
};

// The netlink implementation of nft::Kernel.
class Session final : public Kernel {
  public:
    // Opens a netlink socket in the calling thread's network namespace.
    static Session open();
    // Like open(), but uses `assume` instead of probing: lets tests run the code path of an
    // older kernel (e.g. no DESTROYSETELEM) on a newer one. Never claim more than the kernel has.
    static Session open_assuming(const Features& assume);
    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    ~Session() override;

    const Features& features() const;

    bool table_exists() override;
    // Creates what is missing and replaces chain rules, protected pairs and always-allow
    // prefixes in one transaction. Grant sets and their elements are kept. `pickups` (for the
    // first install only: the TCP sessions already open on protected ports) are added to the
    // pickup sets in that transaction, each for kPickupTimeout.
    void install(const TableSpec& spec, const std::vector<Tuple>& pickups = {}) override;
    // Deletes `table inet jitd` (no error if it is absent).
    void remove_table() override;

    // One transaction; throws Error naming the element the kernel refused, applying nothing.
    void apply(const Change& change) override;
    std::vector<ListedElement> list_elements() override;
    // One grant element (timeout and remaining time; no comment), nullopt when the kernel no
    // longer has it (deleted or expired). One round trip.
    std::optional<ListedElement> find_element(const ElementKey& key) override;

    // The pickup sets' live tuples, and their removal (absent ones are no error).
    std::vector<Tuple> list_pickups() override;
    void remove_pickups(const std::vector<Tuple>& tuples) override;

    // install() and every grant in `grants` (the grant sets emptied first, so afterwards they
    // hold exactly `grants`), one transaction: for when another tool changed the table.
    void restore(const TableSpec& spec, const std::vector<Element>& grants,
                 const std::vector<PendingElement>& pending = {}) override;
    // The `pending` set (pending.cpp).
    std::vector<PendingElement> list_pending() override;
    void add_pending(const std::vector<PendingElement>& elements) override;
    void remove_pending(const std::vector<std::uint64_t>& keys) override;
    // The netlink port id of this session's socket: nf_tables events caused by its
    // transactions carry it as nlmsg_pid.
    std::uint32_t portid() const override;
    // Rules in the input chain now (0 without the table), and how many install() puts there.
    std::size_t input_rule_count() override;
    static std::size_t expected_rule_count(const TableSpec& spec = {});
    std::size_t expected_input_rules(const TableSpec& spec) const override {
        return expected_rule_count(spec);
    }
    // Other tables' base chains on the input hook whose policy is drop, as "inet filter input":
    // a packet jitd accepts still meets their drop.
    std::vector<std::string> foreign_input_drop_chains() override;

  private:
    struct Impl;
    explicit Session(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace jitd::nft
