#include "agent/daemon/listening_ports.hpp"

#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include <spdlog/spdlog.h>

#include "sessions/sock_diag.hpp"

namespace jitd::agent {
namespace {

// include/net/tcp_states.h: TCP_LISTEN; an unconnected UDP socket is in TCP_CLOSE.
constexpr std::uint32_t kTcpListen = 10;
constexpr std::uint32_t kUdpUnconnected = 7;

using NameKey = std::pair<std::uint16_t, config::Protocol>;

std::string lookup_service(std::uint16_t port, config::Protocol protocol) {
    servent entry{};
    servent* found = nullptr;
    std::array<char, 4096> buf{};
    if (getservbyport_r(htons(port), config::to_string(protocol), &entry, buf.data(), buf.size(),
                        &found) != 0 ||
        found == nullptr || found->s_name == nullptr)
        return {};
    return found->s_name;
}

const std::map<NameKey, std::string>& service_names() {
    static const std::map<NameKey, std::string> names = [] {
        std::map<NameKey, std::string> m;
        for (const auto& p : management_ports())
            for (auto proto : {config::Protocol::tcp, config::Protocol::udp})
                if (p.protocol == config::Protocol::any || p.protocol == proto)
                    m[{p.port, proto}] = lookup_service(p.port, proto);
        return m;
    }();
    return names;
}

}  // namespace

bool loopback_only(const nft::Tuple& t) {
    if (t.family == nft::Prefix::Family::ipv4) return t.local[0] == 127;
    static constexpr std::array<std::uint8_t, 16> kLoopback6 = {0, 0, 0, 0, 0, 0, 0, 0,
                                                                0, 0, 0, 0, 0, 0, 0, 1};
    return t.local == kLoopback6;
}

std::vector<ListeningPort> listening_ports() {
    sessions::SockDiag diag;
    std::vector<ListeningPort> out;
    const auto add = [&out](const std::vector<sessions::DiagSocket>& sockets, config::Protocol p) {
        for (const auto& s : sockets) {
            if (s.tuple.local_port == 0 || loopback_only(s.tuple)) continue;
            const ListeningPort l{s.tuple.local_port, p};
            if (std::none_of(out.begin(), out.end(), [&](const ListeningPort& o) {
                    return o.port == l.port && o.protocol == l.protocol;
                }))
                out.push_back(l);
        }
    };
    add(diag.list(nft::L4::tcp, sessions::state_bit(kTcpListen)), config::Protocol::tcp);
    add(diag.list(nft::L4::udp, sessions::state_bit(kUdpUnconnected)), config::Protocol::udp);
    return out;
}

std::string service_name(std::uint16_t port, config::Protocol protocol) {
    const auto& names = service_names();
    const auto it = names.find({port, protocol});
    return it == names.end() ? std::string() : it->second;
}

std::vector<Recommendation> recommended_ports(const config::Policy& policy) {
    try {
        return recommend(listening_ports(), policy, service_name);
    } catch (const std::exception& e) {
        spdlog::warn("cannot list the listening sockets for the recommended ports: {}", e.what());
        return {};
    }
}

}  // namespace jitd::agent
