#include "nft/model.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "nft/layout.hpp"

namespace jitd::nft {

std::string Prefix::str() const {
    char buf[INET6_ADDRSTRLEN] = {};
    const int af = family == Family::ipv4 ? AF_INET : AF_INET6;
    if (inet_ntop(af, bytes.data(), buf, sizeof buf) == nullptr) return "?";
    std::string out = buf;
    if (!is_host()) out += "/" + std::to_string(len);
    return out;
}

std::string ElementKey::str() const {
    return source.str() + " . " + std::string(layout::proto_name(proto)) + " . " +
           std::to_string(port);
}

std::string Tuple::str() const {
    auto end = [this](const std::array<std::uint8_t, 16>& addr, std::uint16_t port) {
        Prefix p;
        p.family = family;
        p.bytes = addr;
        p.len = family == Prefix::Family::ipv4 ? 32 : 128;
        const std::string a = p.str();
        return (family == Prefix::Family::ipv4 ? a : "[" + a + "]") + ":" + std::to_string(port);
    };
    return end(remote, remote_port) + " > " + end(local, local_port);
}

std::optional<Prefix> parse_prefix(std::string_view text) {
    Prefix p;
    std::string addr(text);
    std::optional<unsigned> len;
    if (auto slash = addr.find('/'); slash != std::string::npos) {
        const std::string digits = addr.substr(slash + 1);
        addr.resize(slash);
        if (digits.empty() || digits.size() > 3 ||
            digits.find_first_not_of("0123456789") != std::string::npos)
            return std::nullopt;
        len = static_cast<unsigned>(std::stoul(digits));
    }
    if (inet_pton(AF_INET, addr.c_str(), p.bytes.data()) == 1) {
        p.family = Prefix::Family::ipv4;
    } else if (inet_pton(AF_INET6, addr.c_str(), p.bytes.data()) == 1) {
        p.family = Prefix::Family::ipv6;
    } else {
        return std::nullopt;
    }
    const unsigned max = p.family == Prefix::Family::ipv4 ? 32 : 128;
    if (len && *len > max) return std::nullopt;
    p.len = static_cast<std::uint8_t>(len.value_or(max));
    for (unsigned bit = p.len; bit < max; ++bit)
        if (p.bytes[bit / 8] & (0x80u >> (bit % 8))) return std::nullopt;
    return p;
}

}  // namespace jitd::nft
