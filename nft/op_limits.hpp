// Limits the element operations (elements, pending, restore, listing, pickups) share.
#pragma once

#include <libnftnl/udata.h>

#include <cstddef>

namespace jitd::nft::ops {

// nft's limit for a comment (NFTNL_UDATA_COMMENT_MAXLEN, with its NUL).
inline constexpr std::size_t kMaxComment = NFTNL_UDATA_COMMENT_MAXLEN - 1;
// Elements per message: a message's element list is one netlink attribute, whose length is 16
// bits; a pipapo element with its comment needs ~150 bytes. Far fewer messages than one per
// element is what makes 100k grants fast.
inline constexpr std::size_t kPerMessage = 128;
// A dump the kernel interrupts (a concurrent change, NLM_F_DUMP_INTR) is read again this often.
inline constexpr int kDumpAttempts = 5;

}  // namespace jitd::nft::ops
