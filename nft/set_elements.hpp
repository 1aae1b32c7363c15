// Reading elements of one of jitd's sets (NFT_MSG_GETSETELEM), shared by the grant listing,
// the single-element lookup and the pickup listing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "nft/handles.hpp"
#include "nft/keys.hpp"
#include "nft/layout.hpp"
#include "nft/model.hpp"
#include "nft/netlink.hpp"

namespace jitd::nft::ops {

// A request for set `name` of table inet jitd, to which elements to look up may be added.
handles::Set set_request(std::string_view name);

struct SetReply {
    int err = 0;  // 0, or the kernel's errno (EINTR: an interrupted dump; ENOENT: no such set)
    handles::Set elements = handles::make_set();
};
// Sends `request` as NFT_MSG_GETSETELEM with `flags` (NLM_F_DUMP for a listing, NLM_F_ACK for
// a lookup) and collects the elements of every reply.
SetReply get_set_elements(Netlink& nl, const handles::Set& request, std::uint16_t flags);

// An element attribute's bytes (empty when absent).
keys::Bytes element_bytes(nftnl_set_elem* e, std::uint16_t attr);

// A grant set's element as a ListedElement (key, timeout, remaining time, comment); nullopt
// for a key that is not a grant key of that set.
std::optional<ListedElement> listed_grant(nftnl_set_elem* e, const layout::SetDef& def);
// An element of the pending set (key, timeout, remaining time, comment); nullopt for a key
// that is not 8 bytes.
std::optional<PendingElement> listed_pending(nftnl_set_elem* e);

}  // namespace jitd::nft::ops
