// An ssh-agent client (draft-miller-ssh-agent, OpenSSH PROTOCOL.agent): list the agent's keys and
// have it sign, so jit-request signs remote requests without reading any private key.
#pragma once

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent/client/daemon_connection.hpp"
#include "agent/wire/fd.hpp"
#include "remote/ssh/ssh_sig.hpp"

namespace jitd::client {

// The agent cannot be reached or answered badly; the message says which.
class AgentError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct AgentIdentity {
    std::string blob;  // public key or certificate
    std::string comment;
};

class AgentConnection {
  public:
    // Connects to the Unix socket `path` (normally $SSH_AUTH_SOCK). Throws AgentError.
    explicit AgentConnection(const std::string& path,
                             std::chrono::milliseconds timeout = std::chrono::seconds(30));
    std::vector<AgentIdentity> identities();
    // The signature blob; RSA keys are asked for rsa-sha2-512. Throws AgentError on refusal.
    std::string sign(std::string_view key_blob, std::string_view data);

  private:
    std::string round_trip(std::string_view message);
    void wait_for(short events, std::chrono::steady_clock::time_point deadline);
    wire::Fd fd_;
    std::chrono::milliseconds timeout_;
};

// One agent key as a Signer (the connection is shared by all of them).
class AgentSigner : public remote::ssh::Signer {
  public:
    AgentSigner(std::shared_ptr<AgentConnection> agent, AgentIdentity id)
        : agent_(std::move(agent)), id_(std::move(id)) {}
    std::string public_key_blob() const override { return id_.blob; }
    std::string label() const override { return id_.comment; }
    std::string sign(std::string_view data) override { return agent_->sign(id_.blob, data); }

  private:
    std::shared_ptr<AgentConnection> agent_;
    AgentIdentity id_;
};

// Signers for every agent key jitd can use (unsupported types are left out).
std::vector<std::unique_ptr<remote::ssh::Signer>> agent_signers(const std::string& socket_path);

}  // namespace jitd::client
