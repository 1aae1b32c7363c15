#include "sessions/sessions.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "sessions/conntrack.hpp"
#include "sessions/sock_diag.hpp"

namespace jitd::sessions {
namespace {

void note(std::string& problem, const std::string& what) {
    problem += (problem.empty() ? "" : "; ") + what;
}

}  // namespace

bool covers(const nft::Prefix& prefix, nft::Prefix::Family family,
            const std::array<std::uint8_t, 16>& addr) {
    if (prefix.family != family) return false;
    for (unsigned bit = 0; bit < prefix.len; ++bit) {
        const unsigned byte = bit / 8, mask = 0x80u >> (bit % 8);
        if ((prefix.bytes[byte] & mask) != (addr[byte] & mask)) return false;
    }
    return true;
}

std::vector<nft::Tuple> established_tcp(const std::vector<std::uint16_t>& ports) {
    std::vector<nft::Tuple> out;
    if (ports.empty()) return out;
    SockDiag diag;
    for (const auto& s : diag.list(nft::L4::tcp, state_bit(kTcpEstablished)))
        if (std::find(ports.begin(), ports.end(), s.tuple.local_port) != ports.end())
            out.push_back(s.tuple);
    return out;
}

bool can_destroy_sockets() {
    return SockDiag().can_destroy();
}

namespace {

// Whether tuple `t` of a `proto` session is behind one of `doors`. `reverse`: a conntrack entry
// the host's own segment created, local end first.
bool behind(const std::vector<nft::ElementKey>& doors, nft::L4 proto, const nft::Tuple& t,
            bool reverse) {
    return std::any_of(doors.begin(), doors.end(), [&](const nft::ElementKey& d) {
        if (d.proto != proto) return false;
        if (!reverse) return t.local_port == d.port && covers(d.source, t.family, t.remote);
        return t.remote_port == d.port && covers(d.source, t.family, t.local);
    });
}

// Destroys the sockets of `proto` behind `doors`, counting them in `r`.
void destroy_sockets(SockDiag& diag, nft::L4 proto, const std::vector<nft::ElementKey>& doors,
                     KillReport& r) {
    const std::uint32_t states = proto == nft::L4::tcp ? connected_tcp_states() : ~0u;
    for (const auto& s : diag.list(proto, states)) {
        if (!behind(doors, proto, s.tuple, false)) continue;
        if (proto == nft::L4::udp && s.tuple.remote_port == 0) continue;  // a server
        const int err = diag.destroy(s);
        if (err == 0)
            ++r.sockets;
        else if (err == EOPNOTSUPP)
            r.destroy_unsupported = true;
        else if (err != ENOENT)
            note(r.problem, "destroying socket " + s.tuple.str() + ": " + std::strerror(err));
    }
}

void destroy_sockets(const std::vector<nft::ElementKey>& doors, KillReport& r) {
    try {
        SockDiag diag;
        for (nft::L4 proto : {nft::L4::tcp, nft::L4::udp}) {
            if (std::any_of(doors.begin(), doors.end(), [&](auto& d) { return d.proto == proto; }))
                destroy_sockets(diag, proto, doors, r);
        }
    } catch (const std::system_error& e) {
        note(r.problem, std::string("sock_diag: ") + e.what());
    }
}

void delete_conntrack(const std::vector<nft::ElementKey>& doors, KillReport& r) {
    try {
        Conntrack ct;
        for (const auto& e : ct.list()) {
            if (!behind(doors, e.proto, e.orig, false) && !behind(doors, e.proto, e.orig, true))
                continue;
            const int err = ct.remove(e);
            if (err == 0)
                ++r.conntrack;
            else if (err != ENOENT)
                note(r.problem,
                     "deleting conntrack entry " + e.orig.str() + ": " + std::strerror(err));
        }
    } catch (const std::system_error& e) {
        note(r.problem, std::string("conntrack: ") + e.what());
    }
}

}  // namespace

KillReport kill_sessions(const std::vector<nft::ElementKey>& doors) {
    KillReport r;
    destroy_sockets(doors, r);
    delete_conntrack(doors, r);
    if (r.destroy_unsupported)
        note(r.problem,
             "the kernel cannot destroy sockets (built without CONFIG_INET_DIAG_DESTROY): the "
             "sessions stay open on the host");
    return r;
}

}  // namespace jitd::sessions
