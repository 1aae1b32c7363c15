// Owning handles for libmnl/libnftnl objects: each one freed by its own free function.
#pragma once

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include <memory>
#include <new>

namespace jitd::nft::handles {

template <auto FreeFn>
struct Free {
    template <typename T>
    void operator()(T* p) const {
        FreeFn(p);
    }
};

using Socket = std::unique_ptr<mnl_socket, Free<mnl_socket_close>>;
using Table = std::unique_ptr<nftnl_table, Free<nftnl_table_free>>;
using Chain = std::unique_ptr<nftnl_chain, Free<nftnl_chain_free>>;
using Rule = std::unique_ptr<nftnl_rule, Free<nftnl_rule_free>>;
using Expr = std::unique_ptr<nftnl_expr, Free<nftnl_expr_free>>;
using Set = std::unique_ptr<nftnl_set, Free<nftnl_set_free>>;
using SetElem = std::unique_ptr<nftnl_set_elem, Free<nftnl_set_elem_free>>;
using UdataBuf = std::unique_ptr<nftnl_udata_buf, Free<nftnl_udata_buf_free>>;

// The alloc functions return NULL only when out of memory.
template <typename Handle, typename Raw>
Handle checked(Raw* raw) {
    if (raw == nullptr) throw std::bad_alloc();
    return Handle(raw);
}

inline Table make_table() {
    return checked<Table>(nftnl_table_alloc());
}
inline Chain make_chain() {
    return checked<Chain>(nftnl_chain_alloc());
}
inline Rule make_rule() {
    return checked<Rule>(nftnl_rule_alloc());
}
inline Expr make_expr(const char* name) {
    return checked<Expr>(nftnl_expr_alloc(name));
}
inline Set make_set() {
    return checked<Set>(nftnl_set_alloc());
}
inline SetElem make_elem() {
    return checked<SetElem>(nftnl_set_elem_alloc());
}

}  // namespace jitd::nft::handles
