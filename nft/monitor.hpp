// nf_tables events: a netlink socket subscribed to NFNLGRP_NFTABLES that reports what changed
// in `table inet jitd` and which process committed it (NFT_MSG_NEWGEN). The daemon polls fd()
// in its event loop and calls read() when it is readable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nft/handles.hpp"
#include "nft/model.hpp"

namespace jitd::nft {

// One event about an object of `table inet jitd`.
struct TableEvent {
    enum class Object : std::uint8_t { table, chain, rule, set, element };
    Object object = Object::table;
    bool added = false;                  // NEW* (true) or DEL* (false)
    std::string name;                    // the chain or set ("" for the table)
    std::uint64_t handle = 0;            // rules: the rule's handle
    std::uint32_t portid = 0;            // nlmsg_pid: the netlink port id of the sender
    std::size_t elements = 0;            // element events: how many elements the message carries
    std::vector<ElementKey> grant_keys;  // element events on grant sets: the decoded keys
    std::string str() const;  // "deleted table", "added element(s) to set grant4_host: ..."
};

// NFT_MSG_NEWGEN: ends the events of one committed transaction.
struct Generation {
    std::uint32_t id = 0;
    std::uint32_t pid = 0;  // the committing task (NFTA_GEN_PROC_PID), 0 if not sent
    std::string comm;       // its command name (NFTA_GEN_PROC_NAME)
    std::uint32_t portid = 0;
};

// The events of one transaction (or of an unfinished one: no generation yet, or events the
// kernel sent outside a transaction).
struct Burst {
    std::vector<TableEvent> events;  // only those about table inet jitd
    std::optional<Generation> generation;
};

struct EventRead {
    std::vector<Burst> bursts;  // in order; bursts without a jitd event are dropped
    bool overflow = false;      // ENOBUFS: the kernel dropped events; resynchronise
};

// Parses a buffer of netlink messages as recv() returned them; appends to `out`. Messages that
// are malformed or not about table inet jitd are skipped (fuzzed: tests/fuzz/fuzz_events.cpp).
void parse_events(const void* buf, std::size_t len, EventRead& out);

class Monitor {
  public:
    // Opens the socket in the calling thread's network namespace (non-blocking, close-on-exec).
    static Monitor open();
    Monitor(Monitor&&) noexcept = default;
    Monitor& operator=(Monitor&&) noexcept = default;

    int fd() const;
    // Everything queued now, without blocking.
    EventRead read();

  private:
    Monitor() = default;
    handles::Socket sock_;
    std::vector<char> rx_;
};

}  // namespace jitd::nft
