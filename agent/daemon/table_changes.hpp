// Which nf_tables events were someone else's changes to what jitd owns. Pure: the event loop
// (table_watch.cpp) reads the events, this decides, the engine restores.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nft/monitor.hpp"

namespace jitd::agent {

struct ForeignChanges {
    std::vector<std::string> changed;     // what was found changed, one line per event
    std::vector<std::string> changed_by;  // "<pid> <comm>" per foreign transaction, unique
    bool empty() const { return changed.empty(); }
};

// A burst is jitd's own when its events carry the session's netlink port id (nlmsg_pid), or its
// NEWGEN names that port id or jitd's pid. In the others, an element delete matters only when
// it took a key of a live grant (the kernel removing what expired is no change); everything
// else matters.
ForeignChanges foreign_changes(const nft::EventRead& read, std::uint32_t own_portid, pid_t own_pid,
                               const std::function<bool(const nft::ElementKey&)>& live_key);

}  // namespace jitd::agent
