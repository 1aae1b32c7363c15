// The operations behind Session, each one kernel transaction (or one dump).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nft/handles.hpp"
#include "nft/model.hpp"
#include "nft/netlink.hpp"
#include "nft/session.hpp"

namespace jitd::nft::ops {

// Which optional kernel features this kernel has (one probe each, at open).
Features probe(Netlink& nl);

bool table_exists(Netlink& nl);
// Throws (Error::Kind::kernel, EEXIST, naming the object) when one of jitd's sets or its chain
// exists with another definition than the layout's; install() and restore() call it first.
// Returns the names of jitd's sets that exist (all with the layout's definition).
std::vector<std::string> check_existing(Netlink& nl);
void install(Netlink& nl, const TableSpec& spec, const std::vector<Tuple>& pickups);
// Appends install()'s messages to `b` (restore() sends them with the grants). `present`: the
// sets that exist now (check_existing); those the spec does not want are deleted.
void add_install(Batch& b, const TableSpec& spec, const std::vector<Tuple>& pickups,
                 const std::vector<std::string>& present);
// install() (no pickups) plus: the grant sets emptied and refilled with `grants`, one
// transaction.
void restore(Netlink& nl, const TableSpec& spec, const std::vector<Element>& grants,
             const std::vector<PendingElement>& pending);
// The `pending` set (pending.cpp).
std::vector<PendingElement> list_pending(Netlink& nl);
void add_pending(Netlink& nl, const std::vector<PendingElement>& elements);
void remove_pending(Netlink& nl, const Features& features, const std::vector<std::uint64_t>& keys);
// Appends the pending elements to `b` (NEWSETELEM, create, exclusive), in chunks.
void add_pending_elements(Batch& b, const std::vector<PendingElement>& elements);
// Base chains of other tables on the input hook (ip, ip6, inet) whose policy is drop.
std::vector<std::string> foreign_input_drop_chains(Netlink& nl);
// How many rules the input chain of table inet jitd holds (0 if it is absent).
std::size_t input_rule_count(Netlink& nl);
void remove_table(Netlink& nl);
void apply(Netlink& nl, const Features& features, const Change& change);
// Every grant set's elements; with `spares` (sockets opened where `nl` was), the sets are dumped
// concurrently, one per socket and thread; the sockets are handed back afterwards.
std::vector<ListedElement> list_elements(Netlink& nl, std::vector<handles::Socket>& spares);
// One grant element by its key; nullopt when it is gone.
std::optional<ListedElement> find_element(Netlink& nl, const ElementKey& key);
std::vector<Tuple> list_pickups(Netlink& nl);
void remove_pickups(Netlink& nl, const Features& features, const std::vector<Tuple>& tuples);
// The grant elements of one set.
std::vector<ListedElement> list_set(Netlink& nl, std::string_view set);

// The remote intake's rules (none without spec.remote_port): they come first in the chain;
// `set_id` gives the batch-local id of each set.
std::vector<handles::Rule> remote_rules(
    const TableSpec& spec, const std::function<std::uint32_t(std::string_view)>& set_id);
// The input chain's rules after them; `set_id` gives the batch-local id of each set.
std::vector<handles::Rule> chain_rules(
    const std::function<std::uint32_t(std::string_view)>& set_id);

}  // namespace jitd::nft::ops
