// LD_PRELOAD shim for the daemon tests: getpwuid_r() of the uid in JITD_TEST_STALL_UID blocks
// while the file JITD_TEST_STALL_FILE exists, as a user database that does not answer (LDAP
// down) would. On entering the block it creates FILE.entered, so a test knows the lookup is
// stuck without guessing at time. Every other call goes straight to the C library.
#include <dlfcn.h>
#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace {

void stall_if_chosen(uid_t uid) {
    const char* chosen = std::getenv("JITD_TEST_STALL_UID");
    const char* file = std::getenv("JITD_TEST_STALL_FILE");
    if (chosen == nullptr || file == nullptr || std::strtoul(chosen, nullptr, 10) != uid) return;
    if (::access(file, F_OK) != 0) return;
    const std::string entered = std::string(file) + ".entered";
    int fd = ::open(entered.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) ::close(fd);
    while (::access(file, F_OK) == 0) ::usleep(10000);
}

}  // namespace

extern "C" int getpwuid_r(uid_t uid, passwd* pwd, char* buf, size_t len, passwd** result) {
    using Fn = int (*)(uid_t, passwd*, char*, size_t, passwd**);
    static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "getpwuid_r"));
    stall_if_chosen(uid);
    return real(uid, pwd, buf, len, result);
}
