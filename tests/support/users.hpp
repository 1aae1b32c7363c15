// Real, unprivileged users and groups for one test, removed again by the destructor.
//
// Names are unique per process and per instance: "jt" + a tag from the pid (base 36) and a
// counter, e.g. groups jt1k3a0adm / jt1k3a0req / jt1k3a0view and users jt1k3a0a (admin),
// jt1k3a0r (requester), jt1k3a0v (viewer), jt1k3a0s (stranger, in no role). Each user has a
// private primary group of its own name; the role group is a SUPPLEMENTARY group, so a daemon
// that only looks at the primary gid fails the tests. The GECOS field carries "jitd-test <pid>"
// so sweep_stale() can remove what a crashed test run left behind. Needs root (useradd).
//
//   TestUsers u;
//   std::string yaml = "access:\n  admins: {groups: [" + u.admin_group() + "]}\n" ...;
//   auto r = SocketClient::connect_as(sock, u.requester.id).request(...);
//   run(u.command_as(u.viewer, {"jit-request", "list"}));    // setpriv --reuid ... -- argv
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/socket_client.hpp"

namespace jitd::test {

// The GECOS field of every account the tests make, followed by the pid ("jitd-test 1234").
inline constexpr const char* kTestGecos = "jitd-test ";

// Runs a shadow-utils tool (useradd, groupadd, userdel...), again while another process holds
// /etc/passwd's lock (parallel tests; exit code 10), for up to 20 s.
RunResult run_account_tool_locked(const std::vector<std::string>& argv);

struct TestUser {
    std::string name;
    Identity id;  // uid, primary gid, supplementary groups (as the daemon should see them)
};

class TestUsers {
  public:
    TestUsers();  // creates the groups and the four users; throws on failure
    ~TestUsers();
    TestUsers(const TestUsers&) = delete;
    TestUsers& operator=(const TestUsers&) = delete;

    const std::string& tag() const { return tag_; }
    const std::string& admin_group() const { return groups_[0]; }
    const std::string& requester_group() const { return groups_[1]; }
    const std::string& viewer_group() const { return groups_[2]; }

    // A policy `access:` section giving each role to its group (YAML text, ends with '\n').
    std::string access_yaml() const;

    // argv that runs `argv` as `u`: setpriv --reuid=U --regid=G --init-groups -- argv...
    static std::vector<std::string> command_as(const TestUser& u, std::vector<std::string> argv);
    // Runs `argv` as `u` to completion (see process.hpp run()).
    static RunResult run_as(const TestUser& u, const std::vector<std::string>& argv,
                            std::string_view input = {}, const std::vector<std::string>& env = {});

    // Creates one more user in the given supplementary groups (removed with the others).
    TestUser add_user(const std::string& suffix, const std::vector<std::string>& groups);

    // Removes users and groups whose creating test process no longer exists.
    static void sweep_stale();

    TestUser admin;
    TestUser requester;
    TestUser viewer;
    TestUser stranger;

  private:
    void remove_all();

    std::string tag_;
    std::vector<std::string> groups_;  // adm, req, view
    std::vector<std::string> users_;
};

}  // namespace jitd::test
