#include "tests/integration/client/journal_writer.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

#include "agent/wire/fd.hpp"
#include "tests/support/process.hpp"

namespace jitd::test {
namespace {

struct JournalCloser {
    void operator()(sd_journal* j) const { sd_journal_close(j); }
};

std::string field(sd_journal* j, const char* name) {
    const void* data = nullptr;
    std::size_t len = 0;
    if (sd_journal_get_data(j, name, &data, &len) < 0) return {};
    const std::string all(static_cast<const char*>(data), len);
    return all.substr(all.find('=') + 1);
}

// journald's fields of the entry with field `match`, or an empty map while there is none.
std::map<std::string, std::string> find_entry(const std::string& match) {
    sd_journal* raw = nullptr;
    if (sd_journal_open(&raw, SD_JOURNAL_LOCAL_ONLY) < 0) return {};
    std::unique_ptr<sd_journal, JournalCloser> j(raw);
    if (sd_journal_add_match(j.get(), match.data(), match.size()) < 0) return {};
    if (sd_journal_next(j.get()) <= 0) return {};
    std::uint64_t usec = 0;
    if (sd_journal_get_realtime_usec(j.get(), &usec) < 0) return {};
    return {{"_UID", field(j.get(), "_UID")},
            {"_COMM", field(j.get(), "_COMM")},
            {"__REALTIME_TIMESTAMP", std::to_string(usec)}};
}

using wire::Fd;

struct Pipe {
    Fd read, write;
};

Pipe make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    return {Fd(fds[0]), Fd(fds[1])};
}

// In the child: become `as`, take the name, send, report, wait for the release. Never returns.
[[noreturn]] void child(const std::vector<std::string>& fields, const std::string& comm,
                        const TestUser* as, int report_fd, int release_fd) {
    char ok = '0';
    if (as) {
        const gid_t gid = as->id.gid;
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(as->id.uid) != 0)
            _exit(2);
    }
    if (::prctl(PR_SET_NAME, comm.c_str(), 0, 0, 0) == 0) {
        std::vector<iovec> iov;
        iov.reserve(fields.size());
        for (const auto& f : fields)
            iov.push_back({const_cast<char*>(f.data()), f.size()});  // sd_journal_sendv: no write
        if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) == 0) ok = '1';
    }
    if (::write(report_fd, &ok, 1) != 1) _exit(3);
    char c;
    while (::read(release_fd, &c, 1) > 0) {
    }
    _exit(0);
}

}  // namespace

std::map<std::string, std::string> wait_for_journal_entry(const std::string& match) {
    std::map<std::string, std::string> found;
    poll_until([&] { return !(found = find_entry(match)).empty(); });
    return found;
}

std::map<std::string, std::string> journal_send_from(const std::vector<std::string>& fields,
                                                     const std::string& comm, const TestUser* as) {
    static unsigned counter = 0;
    const std::string nonce = std::to_string(::getpid()) + "-" + std::to_string(++counter);
    std::vector<std::string> all = fields;
    all.push_back("JITD_TEST_NONCE=" + nonce);

    Pipe report = make_pipe(), release = make_pipe();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        // The child must not hold the write end it waits on, or it never sees EOF.
        release.write.reset();
        report.read.reset();
        child(all, comm, as, report.write.get(), release.read.get());
    }
    report.write.reset();
    release.read.reset();

    char ok = '0';
    const bool reported = ::read(report.read.get(), &ok, 1) == 1 && ok == '1';
    std::map<std::string, std::string> found;
    if (reported) found = wait_for_journal_entry("JITD_TEST_NONCE=" + nonce);
    release.write.reset();  // the child exits at EOF
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!reported) throw std::runtime_error("the child could not send its journal entry");
    if (found.empty()) throw std::runtime_error("the journal entry " + nonce + " did not appear");
    return found;
}

}  // namespace jitd::test
