// Helpers for the signed-request tests: keys made by ssh-keygen in a temporary directory, a
// real ssh-agent started by the test (killed by PID), and `jit-request open --host` run in the
// client namespace.
#pragma once

#include <string>
#include <vector>

#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::test {

class SshKeys {
  public:
    SshKeys();  // a temp dir (0700) and a running ssh-agent on a socket in it
    ~SshKeys();
    SshKeys(const SshKeys&) = delete;
    SshKeys& operator=(const SshKeys&) = delete;

    const std::string& dir() const { return dir_; }
    const std::string& agent_socket() const { return socket_; }
    // ssh-keygen -t TYPE -N '' -f DIR/NAME; returns the private key's path.
    std::string make_key(const std::string& name, const std::string& type);
    // The "TYPE BASE64 COMMENT" line of KEY.pub.
    std::string public_line(const std::string& key) const;
    // ssh-keygen -s CA -I ID -n PRINCIPAL -V VALIDITY KEY.pub; returns KEY-cert.pub.
    std::string certify(const std::string& ca, const std::string& key, const std::string& principal,
                        const std::string& validity);
    // ssh-add KEY (and KEY-cert.pub when present) into the agent.
    void add_to_agent(const std::string& key);

  private:
    std::string dir_, socket_;
    Child agent_;
};

// `jit-request open ARGS...` in the client namespace with SSH_AUTH_SOCK set.
RunResult jit_request_open(const Netns& client, const SshKeys& keys,
                           const std::vector<std::string>& args);

}  // namespace jitd::test

namespace jitd::test {

// A real sshd on port 22 inside `ns`: a throwaway host key, AuthorizedKeysFile an absolute path
// in its own directory (mode 0755: sshd reads it as the user), public keys only. The destructor
// stops it (by PID) and removes the directory.
class TestSshd {
  public:
    explicit TestSshd(const Netns& ns);
    ~TestSshd();
    TestSshd(const TestSshd&) = delete;
    TestSshd& operator=(const TestSshd&) = delete;
    // Lets `user` log in with the key in `public_line`.
    void authorize(const std::string& user, const std::string& public_line);
    std::string log() const;

  private:
    std::string dir_;
    Child sshd_;
};

}  // namespace jitd::test
