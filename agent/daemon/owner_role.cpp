#include "agent/daemon/owner_role.hpp"

#include <pwd.h>

#include <cerrno>

namespace jitd::agent {
namespace {

// The passwd entry's uid and primary gid, by uid (or by name when uid is -1).
bool passwd_ids(uid_t& uid, gid_t& gid, const std::string& user) {
    passwd pw{};
    std::vector<char> buf(1024);
    for (;;) {
        passwd* result = nullptr;
        int rc = uid != static_cast<uid_t>(-1)
                     ? getpwuid_r(uid, &pw, buf.data(), buf.size(), &result)
                     : getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &result);
        if (rc == ERANGE && buf.size() < (1u << 22)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || result == nullptr) return false;
        uid = pw.pw_uid;
        gid = pw.pw_gid;
        return true;
    }
}

}  // namespace

Role owner_role(const config::Access& access, uid_t uid, const std::string& user,
                const std::vector<Peer>& live) {
    bool seen = false;
    Role best = Role::none;
    for (const Peer& p : live) {
        if (p.uid != uid) continue;
        seen = true;
        Role r = role_of(access, p);
        if (static_cast<int>(r) > static_cast<int>(best)) best = r;
    }
    if (seen) return best;
    uid_t id = uid;
    gid_t gid = 0;
    if (passwd_ids(id, gid, user)) return role_of(access, identify(id, gid));
    Peer unknown;  // no passwd entry: only a `users:` entry naming it can give it a role
    unknown.uid = uid;
    unknown.user = user;
    return role_of(access, unknown);
}

}  // namespace jitd::agent
