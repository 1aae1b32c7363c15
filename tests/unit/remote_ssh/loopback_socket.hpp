// A socket bound to 127.0.0.1 on a kernel-chosen port, for the client's send and wait tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <utility>

#include <gtest/gtest.h>

#include "agent/wire/fd.hpp"

namespace jitd::remote::ssh::test {

inline std::pair<wire::Fd, std::uint16_t> loopback_socket(int type) {
    wire::Fd fd(socket(AF_INET, type | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len);
    return {std::move(fd), ntohs(a.sin_port)};
}

}  // namespace jitd::remote::ssh::test
