#include "agent/daemon/host_names.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

namespace jitd::agent {
namespace {

struct IfaddrsFree {
    void operator()(ifaddrs* p) const { freeifaddrs(p); }
};
struct AddrinfoFree {
    void operator()(addrinfo* p) const { freeaddrinfo(p); }
};

void add(std::vector<std::string>& names, std::string name) {
    if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) return;
    names.push_back(std::move(name));
}

std::string address_text(const sockaddr* sa) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (sa->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf) == nullptr) return {};
    } else if (sa->sa_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        if (inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf) == nullptr) return {};
    } else {
        return {};
    }
    return buf;
}

}  // namespace

std::vector<std::string> default_host_names() {
    std::vector<std::string> names;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') {
        add(names, host);
        addrinfo hints{};
        hints.ai_flags = AI_CANONNAME;
        hints.ai_family = AF_UNSPEC;
        addrinfo* found = nullptr;
        if (getaddrinfo(host, nullptr, &hints, &found) == 0) {
            const std::unique_ptr<addrinfo, AddrinfoFree> list(found);
            if (found->ai_canonname != nullptr) add(names, found->ai_canonname);
        }
    }
    ifaddrs* ifs = nullptr;
    if (getifaddrs(&ifs) == 0) {
        const std::unique_ptr<ifaddrs, IfaddrsFree> list(ifs);
        for (const ifaddrs* i = ifs; i != nullptr; i = i->ifa_next)
            if (i->ifa_addr != nullptr) add(names, address_text(i->ifa_addr));
    }
    return names;
}

}  // namespace jitd::agent
