// Source addresses and grant elements for the benchmark. The addresses exist only as nftables
// set elements inside the private namespace; no packet is ever sent to or from them.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nft/model.hpp"

namespace jitd::bench {

// 10.0.0.0 + n (n < 2^24), as text: distinct n, distinct hosts.
std::string host4_text(std::uint32_t n);

// Distinct grant ids "g-" + 12 hex digits from a random base, and comments in jitd's format
// "jitd:<id>:<user>:<start unix seconds>", so that a starting daemon adopts the elements.
class CommentMaker {
  public:
    CommentMaker();
    // "jitd:<id>:<uid>:<start>", as the daemon writes it (agent/daemon/comment.hpp).
    std::string next(uid_t owner_uid, std::int64_t start_unix);

  private:
    std::uint64_t next_id_;
};

// `count` grant elements for port 22/tcp, a quarter each of IPv4 hosts, IPv4 /28 prefixes,
// IPv6 hosts and IPv6 /64 prefixes, interleaved (any leading slice holds all four kinds),
// with timeouts between 1h and 3h and comments owned by `owner_uid`. count <= 2^21.
std::vector<nft::Element> scale_elements(std::size_t count, uid_t owner_uid,
                                         CommentMaker& comments);

// One IPv4 host element (port 22/tcp, 1h) for the raw floor.
nft::Element host4_element(std::uint32_t n, std::string comment);

}  // namespace jitd::bench
