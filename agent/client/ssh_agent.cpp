// The agent protocol: uint32 length || byte type || contents, one request then one answer.
#include "agent/client/ssh_agent.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "remote/ssh/ssh_key.hpp"
#include "remote/ssh/ssh_wire.hpp"

namespace jitd::client {
namespace {

namespace ssh = remote::ssh;

constexpr std::uint8_t kFailure = 5;
constexpr std::uint8_t kRequestIdentities = 11;
constexpr std::uint8_t kIdentitiesAnswer = 12;
constexpr std::uint8_t kSignRequest = 13;
constexpr std::uint8_t kSignResponse = 14;
constexpr std::uint32_t kRsaSha2_512 = 4;
constexpr std::uint32_t kMaxAnswer = 256 * 1024;

std::string_view type_of(std::string_view blob) {
    try {
        ssh::WireReader in(blob);
        return in.string("key type");
    } catch (const ssh::WireError&) {
        return {};
    }
}

}  // namespace

AgentConnection::AgentConnection(const std::string& path, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        throw AgentError("ssh-agent socket path is empty or too long");
    fd_ = wire::Fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd_.get() < 0) throw AgentError(std::string("socket: ") + std::strerror(errno));
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    if (connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        throw AgentError("cannot connect to ssh-agent at " + path + ": " + std::strerror(errno));
}

void AgentConnection::wait_for(short events, std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_.get(), events, 0};
    const int n = poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (n == 0) throw AgentError("ssh-agent did not answer in time");
    if (n < 0 && errno != EINTR) throw AgentError(std::string("poll: ") + std::strerror(errno));
}

std::string AgentConnection::round_trip(std::string_view message) {
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    ssh::WireWriter framed;
    framed.string(message);
    std::string_view out = framed.data();
    while (!out.empty()) {
        wait_for(POLLOUT, deadline);
        const ssize_t n = send(fd_.get(), out.data(), out.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw AgentError(std::string("writing to ssh-agent: ") + std::strerror(errno));
        out.remove_prefix(static_cast<std::size_t>(n));
    }
    std::string in;
    std::size_t want = 4;
    while (in.size() < want) {
        wait_for(POLLIN, deadline);
        char buf[4096];
        const ssize_t n = recv(fd_.get(), buf, std::min(sizeof buf, want - in.size()), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw AgentError("ssh-agent closed the connection");
        in.append(buf, static_cast<std::size_t>(n));
        if (want == 4 && in.size() == 4) {
            const std::uint32_t len = ssh::WireReader(in).u32("length");
            if (len == 0 || len > kMaxAnswer) throw AgentError("ssh-agent sent a bad length");
            want = 4 + len;
        }
    }
    return in.substr(4);
}

std::vector<AgentIdentity> AgentConnection::identities() {
    const std::string answer = round_trip(std::string(1, static_cast<char>(kRequestIdentities)));
    try {
        ssh::WireReader in(answer);
        if (in.u8("type") != kIdentitiesAnswer) throw AgentError("ssh-agent refused to list keys");
        const std::uint32_t n = in.u32("key count");
        std::vector<AgentIdentity> out;
        for (std::uint32_t i = 0; i < n; ++i) {
            AgentIdentity id;
            id.blob = std::string(in.string("key"));
            id.comment = std::string(in.string("comment"));
            out.push_back(std::move(id));
        }
        return out;
    } catch (const ssh::WireError& e) {
        throw AgentError(std::string("ssh-agent's key list: ") + e.what());
    }
}

std::string AgentConnection::sign(std::string_view key_blob, std::string_view data) {
    const std::string_view type = type_of(key_blob);
    const bool rsa = type == "ssh-rsa" || type == "ssh-rsa-cert-v01@openssh.com";
    ssh::WireWriter req;
    req.u8(kSignRequest).string(key_blob).string(data).u32(rsa ? kRsaSha2_512 : 0);
    const std::string answer = round_trip(req.data());
    try {
        ssh::WireReader in(answer);
        const std::uint8_t t = in.u8("type");
        if (t == kFailure) throw AgentError("ssh-agent refused to sign (key confirmation denied?)");
        if (t != kSignResponse) throw AgentError("ssh-agent sent an unexpected answer");
        std::string sig(in.string("signature"));
        in.expect_end("signature");
        return sig;
    } catch (const ssh::WireError& e) {
        throw AgentError(std::string("ssh-agent's signature: ") + e.what());
    }
}

std::vector<std::unique_ptr<ssh::Signer>> agent_signers(const std::string& socket_path) {
    auto agent = std::make_shared<AgentConnection>(socket_path);
    std::vector<std::unique_ptr<ssh::Signer>> out;
    for (auto& id : agent->identities()) {
        const std::string_view type = type_of(id.blob);
        if (!ssh::key_type_from_name(type) && !ssh::cert_type_from_name(type)) continue;
        out.push_back(std::make_unique<AgentSigner>(agent, std::move(id)));
    }
    return out;
}

}  // namespace jitd::client
