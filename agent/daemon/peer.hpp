// Who is on the other end of a connection: the kernel's SO_PEERCRED and SO_PEERGROUPS, never the
// client's word.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace jitd::agent {

struct Peer {
    uid_t uid = 0;
    gid_t gid = 0;
    pid_t pid = 0;
    std::string user;                 // passwd name, or "#<uid>" when there is none
    std::vector<std::string> groups;  // names of the primary and all supplementary groups
};

// SO_PEERCRED and SO_PEERGROUPS of a connected Unix socket (the groups the peer process held
// at connect(), named through NSS); nullopt when the kernel cannot say.
std::optional<Peer> peer_credentials(int fd);

// Fills in user and groups for uid/gid from the system's user database (NSS, getgrouplist):
// for those with no connection to judge them by.
Peer identify(uid_t uid, gid_t gid, pid_t pid = 0);

// The name shown for a uid: its passwd name (getpwuid_r), or "#<uid>" (e.g. "#1234") when the
// user database has no entry for it.
std::string name_of_uid(uid_t uid);

// The uid of a user name (getpwnam_r); nullopt if unknown.
std::optional<uid_t> uid_of_name(const std::string& user);

}  // namespace jitd::agent
