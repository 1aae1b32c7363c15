// The receiving end of the remote intake rule: a NETLINK_NETFILTER socket bound to one nflog
// group (NFNL_SUBSYS_ULOG), non-blocking, for an event loop to watch.
#pragma once

#include <cstdint>
#include <vector>

#include "nft/handles.hpp"
#include "nft/nflog_packet.hpp"

namespace jitd::nft {

class NflogSocket {
  public:
    // Binds `group` in the calling thread's network namespace, copy mode "packet" (up to
    // kRemoteSnaplen bytes), queue threshold 1 (each packet delivered at once). Throws
    // std::runtime_error (e.g. EBUSY: another process holds the group).
    static NflogSocket open(std::uint16_t group);

    int fd() const;
    // Reads every message queued now (never blocks) and hands each datagram or error to `sink`.
    // Returns how many recv() calls returned data.
    std::size_t drain(const NflogSink& sink);

  private:
    NflogSocket(handles::Socket sock, std::uint16_t group);
    handles::Socket sock_;
    std::uint16_t group_;
    std::vector<std::uint8_t> rx_;
};

}  // namespace jitd::nft
