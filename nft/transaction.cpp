#include "nft/transaction.hpp"

#include <cerrno>
#include <cstring>

namespace jitd::nft::tx {

Error error_for(const Failure& failure, const MessageTag* tag) {
    Error::Kind kind = Error::Kind::kernel;
    if (tag && tag->op == MessageTag::Op::add_element && failure.err == EEXIST)
        kind = tag->interval ? Error::Kind::overlap : Error::Kind::exists;
    else if (failure.err == ENOENT)
        kind = Error::Kind::not_found;
    std::string what = "kernel refused " + (tag ? tag->what : std::string("the transaction"));
    what += ": ";
    what += std::strerror(failure.err);
    if (kind == Error::Kind::overlap) what += " (overlaps an existing element)";
    if (!failure.kernel_says.empty()) what += " (kernel: " + failure.kernel_says + ")";
    return Error(kind, failure.err, what, tag ? tag->key : std::nullopt);
}

void throw_failures(const BatchResult& result, const Batch& batch) {
    if (!result.failures.empty()) {
        const Failure& f = result.failures.front();
        throw error_for(f, batch.tag(f.seq));
    }
    if (result.overflow)
        throw Error(Error::Kind::io, ENOBUFS,
                    "kernel refused the transaction with more errors than could be read");
}

void run(Netlink& nl, Batch& batch) {
    batch.finish();
    throw_failures(nl.transact(batch), batch);
}

}  // namespace jitd::nft::tx
