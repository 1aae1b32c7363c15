// Real users with hostile names, for one test: every byte the user database lets through
// (quotes, backslashes, braces, spaces, UTF-8, ...) and names longer than useradd allows.
//
// Names of up to 32 bytes are made with `useradd --badname` (in /etc/passwd). Longer ones
// (useradd stops at 32) come from systemd's user database: a JSON record in /run/userdb, which
// nss-systemd (in /etc/nsswitch.conf on Debian 12) serves to getpwnam/getpwuid like any other
// directory would. Neither source accepts ':' in a name (it is passwd's field separator).
// Each user's PRIMARY group is the given one (e.g. the requesters' group), so roles work
// without naming the user in the policy. Everything is removed by the destructor; users left
// by a crashed run carry "jitd-test <pid>" in GECOS / realName and are swept by sweep_stale().
//
//   OddUsers odd(users.requester_group());
//   const TestUser& u = odd.add("jt" + users.tag() + "\"q");
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/support/users.hpp"

namespace jitd::test {

class OddUsers {
  public:
    explicit OddUsers(std::string primary_group);
    ~OddUsers();
    OddUsers(const OddUsers&) = delete;
    OddUsers& operator=(const OddUsers&) = delete;

    // Creates a user named exactly `name` (through useradd, or /run/userdb when over 32 bytes);
    // throws with the tool's message when the system refuses the name.
    TestUser add(const std::string& name);

    // Removes records of /run/userdb left by test processes that no longer exist.
    static void sweep_stale();

  private:
    std::string group_;
    gid_t gid_ = 0;
    std::vector<std::string> passwd_users_;
    std::vector<std::string> userdb_files_;
};

}  // namespace jitd::test
