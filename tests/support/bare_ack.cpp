#include "tests/support/bare_ack.hpp"

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "agent/wire/fd.hpp"

namespace jitd::test {
namespace {

std::uint16_t checksum(const std::uint8_t* data, std::size_t len, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < len; i += 2)
        sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
    if (len % 2) sum += static_cast<std::uint32_t>(data[len - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

in_addr addr4(const std::string& text) {
    in_addr a{};
    if (inet_pton(AF_INET, text.c_str(), &a) != 1)
        throw std::runtime_error("bare_ack: not an IPv4 address: " + text);
    return a;
}

using wire::Fd;

}  // namespace

bool bare_ack_answered(const Netns& ns, const std::string& src, std::uint16_t sport,
                       const std::string& dst, std::uint16_t dport,
                       std::chrono::milliseconds timeout) {
    const in_addr s = addr4(src), d = addr4(dst);
    bool answered = false;
    ns.run([&] {
        Fd send_fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW));
        Fd recv_fd(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP));
        if (send_fd.get() < 0 || recv_fd.get() < 0)
            throw std::runtime_error(std::string("raw socket: ") + std::strerror(errno));
        std::uint8_t pkt[sizeof(iphdr) + sizeof(tcphdr)] = {};
        auto* ip = reinterpret_cast<iphdr*>(pkt);
        auto* tcp = reinterpret_cast<tcphdr*>(pkt + sizeof(iphdr));
        ip->version = 4;
        ip->ihl = 5;
        ip->ttl = 64;
        ip->protocol = IPPROTO_TCP;
        ip->tot_len = htons(sizeof pkt);
        ip->saddr = s.s_addr;
        ip->daddr = d.s_addr;  // the kernel fills in id and header checksum
        tcp->source = htons(sport);
        tcp->dest = htons(dport);
        tcp->seq = htonl(0x6a697464);
        tcp->ack_seq = htonl(0x1badcafe);
        tcp->doff = 5;
        tcp->ack = 1;
        tcp->window = htons(1024);
        // TCP checksum over the pseudo header and the segment.
        std::uint8_t pseudo[12 + sizeof(tcphdr)] = {};
        std::memcpy(pseudo, &s.s_addr, 4);
        std::memcpy(pseudo + 4, &d.s_addr, 4);
        pseudo[9] = IPPROTO_TCP;
        pseudo[11] = sizeof(tcphdr);
        std::memcpy(pseudo + 12, tcp, sizeof(tcphdr));
        tcp->check = htons(checksum(pseudo, sizeof pseudo));
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr = d;
        if (::sendto(send_fd.get(), pkt, sizeof pkt, 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof to) != static_cast<ssize_t>(sizeof pkt))
            throw std::runtime_error(std::string("raw send: ") + std::strerror(errno));
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!answered) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{recv_fd.get(), POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            std::uint8_t buf[2048];
            const ssize_t n = ::recv(recv_fd.get(), buf, sizeof buf, 0);
            if (n < static_cast<ssize_t>(sizeof(iphdr) + sizeof(tcphdr))) continue;
            const auto* rip = reinterpret_cast<const iphdr*>(buf);
            const std::size_t ip_len = std::size_t{rip->ihl} * 4;
            const auto* rtcp = reinterpret_cast<const tcphdr*>(buf + ip_len);
            if (static_cast<std::size_t>(n) < ip_len + sizeof(tcphdr)) continue;
            answered = rip->saddr == d.s_addr && rip->daddr == s.s_addr &&
                       rtcp->source == htons(dport) && rtcp->dest == htons(sport) && rtcp->rst;
        }
    });
    return answered;
}

}  // namespace jitd::test
