// The netns's connection tracking table through ctnetlink (NETLINK_NETFILTER,
// NFNL_SUBSYS_CTNETLINK): listing entries and deleting one (IPCTNL_MSG_CT_DELETE).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "nft/model.hpp"
#include "nft/netlink_socket.hpp"

namespace jitd::sessions {

struct CtEntry {
    nft::L4 proto = nft::L4::tcp;
    // The original direction: `remote` is its source, `local` its destination.
    nft::Tuple orig;
    std::uint32_t id = 0;               // CTA_ID: deletes exactly this entry
    std::optional<std::uint16_t> zone;  // CTA_ZONE, when not the default zone
};

class Conntrack {
  public:
    Conntrack();  // in the calling thread's network namespace; throws std::system_error

    // The TCP and UDP entries of both families.
    std::vector<CtEntry> list();
    // 0, or the positive errno (ENOENT: gone already).
    int remove(const CtEntry& e);

  private:
    nft::NetlinkSocket nl_;
};

}  // namespace jitd::sessions
