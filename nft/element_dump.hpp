// Dumping one grant set straight from the netlink messages into ListedElements: at start jitd
// reads every grant back, and building a libnftnl object per element (with its own
// allocations) only to copy it out again was most of the user-space cost of a listing.
#pragma once

#include <vector>

#include "nft/layout.hpp"
#include "nft/model.hpp"
#include "nft/netlink.hpp"

namespace jitd::nft::ops {

// Appends the grant elements of set `def` to `out` (a key that is not a grant key of the set
// is skipped). Returns 0 or the kernel's errno: EINTR for a dump interrupted by a concurrent
// change, ENOENT when the table or the set is missing.
int dump_grant_set(Netlink& nl, const layout::SetDef& def, std::vector<ListedElement>& out);

}  // namespace jitd::nft::ops
