// list_elements(): every live grant element with its timeout, remaining time and comment,
// read back from the kernel so that a restarted daemon can rebuild its state. The four grant
// sets are dumped at once, each on a socket and thread of its own: the kernel walks a set for
// its dump in the recvmsg() of the thread reading it, so the walks share the cores. The sockets
// are opened with the Session (in its namespace) and kept: three fds, no buffers between dumps.
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include <algorithm>
#include <array>
#include <exception>
#include <thread>

#include "nft/element_dump.hpp"
#include "nft/layout.hpp"
#include "nft/op_limits.hpp"
#include "nft/operations.hpp"

namespace jitd::nft::ops {
namespace {

// One set's elements; false when the dump was interrupted by a concurrent change.
bool dump_set(Netlink& nl, const layout::SetDef& def, std::vector<ListedElement>& out) {
    const int err = dump_grant_set(nl, def, out);
    if (err == EINTR) return false;
    if (err == ENOENT) return true;  // no table or no such set: nothing granted
    if (err != 0)
        throw Error(Error::Kind::kernel, err,
                    "listing set " + std::string(def.name) + ": " + std::strerror(err));
    return true;
}

// A hash set that the kernel resizes while it is dumped can yield one element twice and skip
// another, without NLM_F_DUMP_INTR. A repeated key means the dump was torn: take it again.
bool torn(const std::vector<ListedElement>& v) {
    std::vector<std::array<std::uint8_t, 20>> keys;
    keys.reserve(v.size());
    for (const auto& e : v) {
        std::array<std::uint8_t, 20> k{};
        std::copy(e.key.source.bytes.begin(), e.key.source.bytes.end(), k.begin());
        k[16] = e.key.source.len;
        k[17] = static_cast<std::uint8_t>(e.key.proto);
        k[18] = static_cast<std::uint8_t>(e.key.port >> 8);
        k[19] = static_cast<std::uint8_t>(e.key.port & 0xff);
        keys.push_back(k);
    }
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

}  // namespace

std::vector<ListedElement> list_set(Netlink& nl, std::string_view name) {
    const layout::SetDef& def = layout::set(name);
    std::vector<ListedElement> out;
    for (int attempt = 1; !dump_set(nl, def, out) || torn(out); ++attempt) {
        out.clear();
        if (attempt == kDumpAttempts)
            throw Error(Error::Kind::io, EINTR,
                        "listing set " + std::string(def.name) + ": kept changing");
    }
    return out;
}

std::vector<ListedElement> list_elements(Netlink& nl, std::vector<handles::Socket>& spares) {
    std::vector<std::string_view> names;
    for (const auto& def : layout::sets())
        if (def.role == layout::SetRole::grant) names.push_back(def.name);
    std::vector<std::vector<ListedElement>> parts(names.size());
    std::vector<std::exception_ptr> errors(names.size());
    // Set i > 0 on spare socket i - 1 and a thread of its own (a socket stays in the network
    // namespace it was opened in, whichever thread uses it); the rest here, on `nl`.
    std::erase_if(spares, [](const handles::Socket& s) { return !s; });  // lost to an error
    const std::size_t threaded = std::min(spares.size(), names.size() - 1);
    {
        std::vector<std::jthread> threads;  // joined on the way out, also on a throw
        threads.reserve(threaded);
        for (std::size_t i = 1; i <= threaded; ++i)
            threads.emplace_back([&, i] {
                try {
                    Netlink own(std::move(spares[i - 1]));
                    try {
                        parts[i] = list_set(own, names[i]);
                    } catch (...) {
                        errors[i] = std::current_exception();
                    }
                    spares[i - 1] = own.release();
                } catch (...) {
                    errors[i] = std::current_exception();  // the socket is lost; see above
                }
            });
        try {
            parts[0] = list_set(nl, names[0]);
            for (std::size_t i = threaded + 1; i < names.size(); ++i)
                parts[i] = list_set(nl, names[i]);
        } catch (...) {
            errors[0] = std::current_exception();
        }
    }
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
    std::size_t total = 0;
    for (const auto& p : parts) total += p.size();
    std::vector<ListedElement> out;
    out.reserve(total);
    for (auto& p : parts) std::move(p.begin(), p.end(), std::back_inserter(out));
    return out;
}

}  // namespace jitd::nft::ops
