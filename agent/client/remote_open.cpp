// The client side of signed remote requests.
#include "agent/client/remote_open.hpp"
#include "agent/wire/fd.hpp"

#include <netdb.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "agent/client/daemon_connection.hpp"
#include "agent/client/ssh_agent.hpp"
#include "agent/client/ssh_keygen_signer.hpp"
#include "remote/ssh/ssh_private_key.hpp"

namespace jitd::client {
namespace {

namespace ssh = remote::ssh;

struct AddrInfoFree {
    void operator()(addrinfo* a) const { freeaddrinfo(a); }
};
using AddrInfo = std::unique_ptr<addrinfo, AddrInfoFree>;

AddrInfo resolve(const std::string& host, std::uint16_t port, int socktype, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    addrinfo* res = nullptr;
    const std::string service = std::to_string(port);
    const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
    if (rc != 0) error = "cannot resolve " + host + ": " + gai_strerror(rc);
    return AddrInfo(res);
}

// One non-blocking connect attempt, bounded by `limit`.
bool try_connect(const addrinfo* a, std::chrono::milliseconds limit) {
    wire::Fd fd(socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return false;
    if (connect(fd.get(), a->ai_addr, a->ai_addrlen) == 0) return true;
    if (errno != EINPROGRESS) return false;
    pollfd p{fd.get(), POLLOUT, 0};
    if (poll(&p, 1, static_cast<int>(limit.count())) != 1) return false;
    int err = 0;
    socklen_t len = sizeof err;
    return getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

}  // namespace

std::vector<std::unique_ptr<ssh::Signer>> request_signers(
    const std::optional<std::string>& key_file) {
    std::vector<std::unique_ptr<ssh::Signer>> out;
    if (key_file) {
        // libcrypto signs with a plain key file; ssh-keygen with one it cannot open itself.
        const auto header = ssh::read_key_file_header(*key_file);
        const bool security_key = header.public_key.type == ssh::KeyType::sk_ed25519 ||
                                  header.public_key.type == ssh::KeyType::sk_ecdsa_p256;
        if (header.encrypted || security_key)
            out.push_back(std::make_unique<SshKeygenSigner>(*key_file, header.public_key.blob));
        else
            out.push_back(ssh::KeyFileSigner::from_file(*key_file));
        return out;
    }
    const char* sock = std::getenv("SSH_AUTH_SOCK");
    if (sock == nullptr || *sock == '\0')
        throw std::runtime_error("no ssh-agent (SSH_AUTH_SOCK is not set); use --key FILE");
    out = agent_signers(sock);
    if (out.empty()) throw std::runtime_error("ssh-agent holds no usable key; ssh-add one");
    return out;
}

BuiltRequests build_signed_requests(ssh::SignedRequest base,
                                    std::vector<std::unique_ptr<ssh::Signer>>& signers) {
    if (RAND_bytes(base.nonce.data(), static_cast<int>(base.nonce.size())) != 1)
        throw std::runtime_error("no random bytes for the nonce");
    base.client_time =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
    const std::string request = ssh::encode_request(base);
    BuiltRequests out;
    out.request_id = ssh::pending_request_id(base.nonce);
    for (auto& signer : signers) {
        try {
            std::string d = ssh::encode_datagram(
                request, ssh::sign_sshsig(*signer, ssh::kJitdNamespace, request));
            if (d.size() > ssh::kMaxDatagram) {
                out.skipped.push_back(signer->label() + ": the signed request is " +
                                      std::to_string(d.size()) + " bytes, more than 1232");
                continue;
            }
            out.datagrams.push_back({signer->label(), std::move(d)});
        } catch (const std::exception& e) {
            out.skipped.push_back(signer->label() + ": " + e.what());
        }
    }
    return out;
}

std::string send_signed_requests(const std::string& host, std::uint16_t udp_port,
                                 const std::vector<SignedDatagram>& datagrams) {
    std::string error;
    const AddrInfo list = resolve(host, udp_port, SOCK_DGRAM, error);
    if (!list) return error;
    for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
        wire::Fd fd(socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0));
        if (fd.get() < 0) continue;
        bool all_sent = true;
        for (const auto& d : datagrams) {
            if (sendto(fd.get(), d.bytes.data(), d.bytes.size(), 0, a->ai_addr, a->ai_addrlen) !=
                static_cast<ssize_t>(d.bytes.size())) {
                error = "sending to " + host + ": " + std::strerror(errno);
                all_sent = false;
                break;
            }
        }
        if (all_sent) return {};
    }
    return error.empty() ? "no address of " + host + " could be used" : error;
}

bool wait_for_tcp(const std::string& host, std::uint16_t port, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
        std::string error;
        const AddrInfo list = resolve(host, port, SOCK_STREAM, error);
        for (const addrinfo* a = list.get(); a != nullptr; a = a->ai_next) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (try_connect(a, std::clamp(left, std::chrono::milliseconds(1),
                                          std::chrono::milliseconds(1000))))
                return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) return false;
        // Between attempts: a dropped SYN fails at once or after the attempt's bound.
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

std::pair<std::string, std::uint16_t> parse_host_port(const std::string& text) {
    std::string host = text;
    std::string port_text;
    if (!text.empty() && text[0] == '[') {
        const auto close = text.find(']');
        if (close == std::string::npos) throw std::invalid_argument("--host: missing ]");
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') throw std::invalid_argument("--host: text after ]");
            port_text = text.substr(close + 2);
        }
    } else if (const auto colon = text.find(':');
               colon != std::string::npos && text.find(':', colon + 1) == std::string::npos) {
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    if (host.empty()) throw std::invalid_argument("--host: empty host name");
    std::uint16_t port = kDefaultRemotePort;
    if (!port_text.empty() || text.back() == ':') {
        unsigned v = 0;
        const auto [p, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
        if (ec != std::errc() || p != port_text.data() + port_text.size() || v == 0 || v > 65535)
            throw std::invalid_argument("--host: '" + port_text + "' is not a UDP port");
        port = static_cast<std::uint16_t>(v);
    }
    return {host, port};
}

}  // namespace jitd::client
