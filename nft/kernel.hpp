// nf_tables constants newer than Debian 12's kernel headers (linux/netfilter/nf_tables.h).
#pragma once

#include <linux/netfilter/nf_tables.h>

namespace jitd::nft::kernel {

// enum nf_tables_msg_types, Linux 6.3: NFT_MSG_GETRULE_RESET (25) is followed by the
// DESTROY* messages, which behave like DEL* but ignore a missing object.
inline constexpr int kMsgDestroyTable = 26;
inline constexpr int kMsgDestroySetElem = 30;

}  // namespace jitd::nft::kernel
