// `ssh-keygen -Y sign` as a child process: fork/exec with an argv, the message in a memfd on its
// stdin, the armored signature read from a pipe on its stdout, its stderr (passphrase errors,
// "confirm user presence") left on ours so that the user sees it.
#include "agent/client/ssh_keygen_signer.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "agent/wire/fd.hpp"

namespace jitd::client {
namespace {

namespace ssh = remote::ssh;

// More than any armored sshsig (the largest, RSA 16384 with a certificate, is a few KiB).
constexpr std::size_t kMaxOutput = std::size_t{64} * 1024;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

std::string errno_text(int e) {
    return std::strerror(e);
}

// The message as a regular file at offset 0: never a tty (ssh-keygen then prompts on
// /dev/tty or runs SSH_ASKPASS), no writer to block on.
wire::Fd message_file(std::string_view message) {
    wire::Fd fd(memfd_create("jit-request-message", MFD_CLOEXEC));
    if (!fd) fail("memfd_create: " + errno_text(errno));
    std::size_t done = 0;
    while (done < message.size()) {
        const ssize_t n = write(fd.get(), message.data() + done, message.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("writing the request for ssh-keygen: " + errno_text(errno));
        done += static_cast<std::size_t>(n);
    }
    if (lseek(fd.get(), 0, SEEK_SET) != 0) fail("lseek: " + errno_text(errno));
    return fd;
}

struct Output {
    std::string text;
    int status = 0;
};

// Runs `program` with `argv` (argv[0] included), stdin from `input`, stdout captured.
Output run(const std::string& program, const std::vector<std::string>& argv, int input) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int out_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) fail("pipe: " + errno_text(errno));
    wire::Fd out_read(out_pipe[0]);
    wire::Fd out_write(out_pipe[1]);
    const pid_t pid = fork();
    if (pid < 0) fail("fork: " + errno_text(errno));
    if (pid == 0) {
        // The child: only async-signal-safe calls until exec.
        if (dup2(input, STDIN_FILENO) < 0 || dup2(out_write.get(), STDOUT_FILENO) < 0) _exit(126);
        execv(program.c_str(), args.data());
        _exit(127);
    }
    out_write.reset();
    Output out;
    char buf[4096];
    while (true) {
        const ssize_t n = read(out_read.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (out.text.size() < kMaxOutput) out.text.append(buf, static_cast<std::size_t>(n));
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) fail("waitpid: " + errno_text(errno));
    }
    out.status = status;
    return out;
}

}  // namespace

std::string find_on_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    const std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const auto end = std::min(dirs.find(':', start), dirs.size());
        const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
        std::string candidate = dir;
        candidate += '/';
        candidate += name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return {};
}

SshKeygenSigner::SshKeygenSigner(std::string key_file, std::string public_key_blob)
    : key_file_(std::move(key_file)), public_key_(std::move(public_key_blob)) {}

std::string SshKeygenSigner::sign(std::string_view) {
    fail(key_file_ + ": ssh-keygen signs whole messages only");
}

std::string SshKeygenSigner::sshsig(std::string_view name_space, std::string_view message) {
    const std::string program = find_on_path("ssh-keygen");
    if (program.empty())
        fail(key_file_ +
             ": ssh-keygen, which signs with passphrase-protected and security-key files, is not "
             "on PATH (install openssh-client), or load the key into ssh-agent and leave out "
             "--key");
    const wire::Fd input = message_file(message);
    // -q: no "Signing data on standard input"; prompts and errors still reach the user.
    const Output out = run(
        program, {"ssh-keygen", "-q", "-Y", "sign", "-f", key_file_, "-n", std::string(name_space)},
        input.get());
    if (!WIFEXITED(out.status) || WEXITSTATUS(out.status) != 0) {
        const std::string how = WIFEXITED(out.status)
                                    ? "exit " + std::to_string(WEXITSTATUS(out.status))
                                    : "signal " + std::to_string(WTERMSIG(out.status));
        fail(key_file_ + ": ssh-keygen -Y sign failed (" + how +
             "; a wrong or no passphrase, or no security key?)");
    }
    std::string blob;
    try {
        blob = ssh::dearmor_sshsig(out.text);
        const ssh::Sshsig sig = ssh::parse_sshsig(blob);
        if (sig.name_space != name_space) fail("it signed for another namespace");
        if (sig.public_key != public_key_) fail("it signed with another key than the file's");
    } catch (const std::exception& e) {
        fail(key_file_ + ": ssh-keygen gave no usable signature: " + e.what());
    }
    return blob;
}

}  // namespace jitd::client
