#include "agent/daemon/journal_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "agent/daemon/handles.hpp"

namespace jitd::agent {
namespace {

constexpr const char* kJournalSocket = "/run/systemd/journal/socket";
// As sd-journal does: room for large entries and for a burst while journald is busy.
constexpr int kSendBuffer = 8 * 1024 * 1024;

// journald's queue is full (EAGAIN): the burst of a gathered batch (Engine::handle_batch)
// can overflow it, since it holds only net.unix.max_dgram_qlen datagrams (10 by default)
// whatever the buffers. Then the send waits for room, at most kRoomWaitMs; once a wait ran out,
// journald counts as stalled and each send waits at most kStalledWaitMs until one goes through
// again, so a stopped journald costs the loop a millisecond per record, not 20.
constexpr int kRoomWaitMs = 20;
constexpr int kStalledWaitMs = 1;
bool g_stalled = false;

std::uint64_t g_drops = 0;

Fd connect_journal() {
    Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return fd;
    int size = kSendBuffer;
    // SO_SNDBUFFORCE needs CAP_NET_ADMIN, which jitd has; SO_SNDBUF (capped) otherwise.
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
        (void)::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, kJournalSocket, sizeof sa.sun_path - 1);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0) return Fd();
    return fd;
}

// The connected socket; reconnected after journald went away (a restarted journald binds a
// new socket, the old peer answers ECONNREFUSED).
Fd& journal_fd() {
    static Fd fd;
    return fd;
}

JournalSink& sink() {
    static JournalSink s;
    return s;
}

bool peer_gone(int err) {
    return err == ECONNREFUSED || err == ENOENT || err == ENOTCONN || err == ECONNRESET;
}

}  // namespace

std::string journal_datagram(const JournalFields& fields) {
    std::size_t size = 0;  // the most it can take: one allocation per record
    for (const auto& [name, value] : fields) size += name.size() + value.size() + 10;
    std::string out;
    out.reserve(size);
    for (const auto& [name, value] : fields) {
        out += name;
        if (value.find('\n') == std::string::npos) {
            out += '=';
            out += value;
        } else {
            out += '\n';
            std::uint64_t n = value.size();
            for (int i = 0; i < 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
            out += value;
        }
        out += '\n';
    }
    return out;
}

void set_journal_sink(JournalSink s) {
    sink() = std::move(s);
}

JournalSend send_to_journal(const JournalFields& fields) {
    if (sink()) return sink()(fields);
    const std::string dgram = journal_datagram(fields);
    Fd& fd = journal_fd();
    int waits = 0;  // room said to be there yet the send refused: a few tries, not a spin
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!fd) fd = connect_journal();
        if (!fd) return JournalSend::unavailable;
        if (::send(fd.get(), dgram.data(), dgram.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
            g_stalled = false;
            return JournalSend::written;
        }
        const int err = errno;
        if (err == EAGAIN && waits++ < 4) {
            pollfd p{fd.get(), POLLOUT, 0};
            if (::poll(&p, 1, g_stalled ? kStalledWaitMs : kRoomWaitMs) == 1 &&
                (p.revents & POLLOUT) != 0) {
                --attempt;  // room again: send once more
                continue;
            }
            g_stalled = true;
        }
        if (!peer_gone(err)) return JournalSend::unavailable;  // EAGAIN (stalled), EMSGSIZE, ...
        fd.reset();  // journald restarted or gone: connect again once
    }
    return JournalSend::unavailable;
}

std::uint64_t journal_drops() {
    return g_drops;
}

void count_journal_drop() {
    ++g_drops;
}

}  // namespace jitd::agent
