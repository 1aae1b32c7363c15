// Running a batch and turning the kernel's failures into Errors that name the operation and
// the object.
#pragma once

#include "nft/batch.hpp"
#include "nft/netlink.hpp"
#include "nft/session.hpp"

namespace jitd::nft::tx {

// The Error for one failed message of a batch.
Error error_for(const Failure& failure, const MessageTag* tag);

// Sends the batch (finishing it) and throws the first kernel failure, if any.
void run(Netlink& nl, Batch& batch);
// Throws the Error for the first failure in `result` (does nothing when there is none).
void throw_failures(const BatchResult& result, const Batch& batch);

}  // namespace jitd::nft::tx
