#include "agent/daemon/peer.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace jitd::agent {
namespace {

// The _r lookups want a caller buffer; grow it on ERANGE.
template <typename Entry, typename Fn>
bool lookup(Fn fn, Entry& entry, std::vector<char>& buf) {
    buf.resize(1024);
    for (;;) {
        Entry* result = nullptr;
        int rc = fn(&entry, buf.data(), buf.size(), &result);
        if (rc == ERANGE && buf.size() < (1u << 22)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        return rc == 0 && result != nullptr;
    }
}

std::optional<std::string> group_name(gid_t gid) {
    group gr{};
    std::vector<char> buf;
    bool ok = lookup<group>(
        [gid](group* g, char* b, std::size_t n, group** r) { return getgrgid_r(gid, g, b, n, r); },
        gr, buf);
    if (!ok) return std::nullopt;
    return std::string(gr.gr_name);
}

}  // namespace

std::optional<Peer> peer_credentials(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
        return std::nullopt;
    // The supplementary groups the peer held at connect(), as the kernel says: a process that
    // dropped a group has lost it, one given a group (not in /etc/group) has it.
    std::vector<gid_t> gids(64);
    for (;;) {
        len = static_cast<socklen_t>(gids.size() * sizeof(gid_t));
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, gids.data(), &len) == 0) break;
        if (errno != ERANGE || len <= gids.size() * sizeof(gid_t)) return std::nullopt;
        gids.resize(len / sizeof(gid_t));
    }
    gids.resize(len / sizeof(gid_t));
    Peer p;
    p.uid = cred.uid;
    p.gid = cred.gid;
    p.pid = cred.pid;
    passwd pw{};
    std::vector<char> buf;
    bool known = lookup<passwd>([&p](passwd* e, char* b, std::size_t n,
                                     passwd** r) { return getpwuid_r(p.uid, e, b, n, r); },
                                pw, buf);
    p.user = known ? std::string(pw.pw_name) : "#" + std::to_string(p.uid);
    if (auto g = group_name(p.gid)) p.groups.push_back(*g);
    for (gid_t g : gids)
        if (g != p.gid)
            if (auto name = group_name(g)) p.groups.push_back(*name);
    return p;
}

Peer identify(uid_t uid, gid_t gid, pid_t pid) {
    Peer p;
    p.uid = uid;
    p.gid = gid;
    p.pid = pid;
    passwd pw{};
    std::vector<char> buf;
    bool known = lookup<passwd>([uid](passwd* e, char* b, std::size_t n,
                                      passwd** r) { return getpwuid_r(uid, e, b, n, r); },
                                pw, buf);
    if (!known) {
        p.user = "#" + std::to_string(uid);
        if (auto g = group_name(gid)) p.groups.push_back(*g);
        return p;
    }
    p.user = pw.pw_name;
    // All groups of the user: the primary (from the peer) and every supplementary one.
    std::vector<gid_t> gids(32);
    for (;;) {
        int n = static_cast<int>(gids.size());
        if (getgrouplist(pw.pw_name, gid, gids.data(), &n) >= 0) {
            gids.resize(static_cast<std::size_t>(n));
            break;
        }
        if (n <= static_cast<int>(gids.size())) n = static_cast<int>(gids.size()) * 2;
        gids.resize(static_cast<std::size_t>(n));
    }
    for (gid_t g : gids)
        if (auto name = group_name(g)) p.groups.push_back(*name);
    return p;
}

std::string name_of_uid(uid_t uid) {
    passwd pw{};
    std::vector<char> buf;
    bool known = lookup<passwd>([uid](passwd* e, char* b, std::size_t n,
                                      passwd** r) { return getpwuid_r(uid, e, b, n, r); },
                                pw, buf);
    return known ? std::string(pw.pw_name) : "#" + std::to_string(uid);
}

std::optional<uid_t> uid_of_name(const std::string& user) {
    passwd pw{};
    std::vector<char> buf;
    bool ok = lookup<passwd>([&user](passwd* e, char* b, std::size_t n,
                                     passwd** r) { return getpwnam_r(user.c_str(), e, b, n, r); },
                             pw, buf);
    if (ok) return pw.pw_uid;
    return std::nullopt;
}

}  // namespace jitd::agent
