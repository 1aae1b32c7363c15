#include "tests/integration/remote/ssh_support.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace jitd::test {

SshKeys::SshKeys() {
    std::string tmpl = "/tmp/jitd-ssh-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    socket_ = dir_ + "/agent.sock";
    agent_ = Child::spawn({"ssh-agent", "-D", "-a", socket_});
    if (!poll_until([&] { return std::filesystem::exists(socket_); }))
        throw std::runtime_error("ssh-agent did not create " + socket_);
}

SshKeys::~SshKeys() {
    agent_.stop(SIGTERM);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::string SshKeys::make_key(const std::string& name, const std::string& type) {
    std::string path = dir_ + "/" + name;  // not const: returned by move
    std::vector<std::string> argv{"ssh-keygen", "-q", "-t", type, "-N", "", "-C", name, "-f", path};
    if (type == "ecdsa") argv.insert(argv.end(), {"-b", "256"});
    run_ok(argv);
    return path;
}

std::string SshKeys::public_line(const std::string& key) const {
    std::string line = read_file(key + ".pub");
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    return line;
}

std::string SshKeys::certify(const std::string& ca, const std::string& key,
                             const std::string& principal, const std::string& validity) {
    run_ok({"ssh-keygen", "-q", "-s", ca, "-I", "test-cert", "-n", principal, "-V", validity,
            key + ".pub"});
    return key + "-cert.pub";
}

void SshKeys::add_to_agent(const std::string& key) {
    const auto r = run({"ssh-add", key}, {}, {"SSH_AUTH_SOCK=" + socket_});
    if (r.exit_code != 0) throw std::runtime_error("ssh-add " + key + ": " + r.err);
}

RunResult jit_request_open(const Netns& client, const SshKeys& keys,
                           const std::vector<std::string>& args) {
    std::vector<std::string> argv{"env", "SSH_AUTH_SOCK=" + keys.agent_socket(), JIT_REQUEST_BINARY,
                                  "open"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(client.exec(argv));
}

}  // namespace jitd::test

namespace jitd::test {

TestSshd::TestSshd(const Netns& ns) {
    std::string tmpl = "/tmp/jitd-sshd-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    ::chmod(dir_.c_str(), 0755);
    std::filesystem::create_directories("/run/sshd");  // privilege separation directory
    run_ok({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir_ + "/host_ed25519"});
    {
        std::ofstream cfg(dir_ + "/sshd_config");
        cfg << "Port 22\nListenAddress 0.0.0.0\nListenAddress ::\n"
            << "HostKey " << dir_ << "/host_ed25519\n"
            << "AuthorizedKeysFile " << dir_ << "/authorized_keys.%u\n"
            << "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
            << "KbdInteractiveAuthentication no\nPidFile none\nLogLevel VERBOSE\n";
    }
    sshd_ = Child::spawn(ns.exec({"/usr/sbin/sshd", "-D", "-e", "-f", dir_ + "/sshd_config"}), {},
                         dir_ + "/sshd.log");
    if (!poll_until([&] { return log().find("Server listening") != std::string::npos; }))
        throw std::runtime_error("sshd did not start: " + log());
}

TestSshd::~TestSshd() {
    sshd_.stop(SIGTERM);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void TestSshd::authorize(const std::string& user, const std::string& public_line) {
    std::ofstream out(dir_ + "/authorized_keys." + user, std::ios::app);
    out << public_line << "\n";
    // useradd leaves the password "!" (locked), which sshd without PAM refuses even for keys
    // ("*" has no password and is not locked), and the test users' shell runs no command.
    run_ok({"usermod", "-p", "*", "-s", "/bin/sh", user});
}

std::string TestSshd::log() const {
    return read_file(dir_ + "/sshd.log");
}

}  // namespace jitd::test
