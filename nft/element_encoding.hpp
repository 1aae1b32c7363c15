// Set elements as nf_tables messages: one element's attributes (key, interval end, timeout,
// comment) and the NEWSETELEM/DELSETELEM/... message that carries a list of them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nft/batch.hpp"
#include "nft/handles.hpp"
#include "nft/keys.hpp"

namespace jitd::nft::tx {

struct ElemSpec {
    keys::Bytes key;
    std::optional<keys::Bytes> key_end;    // interval sets with concatenations (pipapo)
    std::uint32_t flags = 0;               // NFT_SET_ELEM_INTERVAL_END for rbtree ends
    std::chrono::milliseconds timeout{0};  // 0: none
    std::string comment;                   // "" : none

    static ElemSpec of(keys::Bytes key, std::uint32_t flags = 0) {
        ElemSpec e;
        e.key = std::move(key);
        e.flags = flags;
        return e;
    }
};

handles::SetElem make_element(const ElemSpec& spec);

// Appends one NEWSETELEM/DELSETELEM/... message for `set` carrying `elems` (none: a flush).
void add_elements(Batch& batch, MessageTag tag, int msg_type, std::uint16_t flags,
                  std::string_view set, const std::vector<ElemSpec>& elems);

}  // namespace jitd::nft::tx
