#include "agent/daemon/last_good_policy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "agent/daemon/handles.hpp"
#include "config/policy_loader.hpp"

namespace jitd::agent {
namespace {

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

bool write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::string last_good_policy_path(const std::string& state_dir) {
    return state_dir + "/" + kLastGoodPolicyName;
}

std::string save_last_good_policy(const std::string& state_dir, const std::string& policy_path) {
    std::ifstream in(policy_path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) return "cannot read " + policy_path;
    try {
        config::parse_policy(text.str(), policy_path);
    } catch (const config::PolicyError& e) {
        return std::string("it changed since it loaded and no longer loads: ") + e.what();
    }
    if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST)
        return errno_text("cannot create " + state_dir);
    const std::string target = last_good_policy_path(state_dir);
    const std::string tmp = target + ".tmp";
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return errno_text("cannot create " + tmp);
    if (!write_all(fd.get(), text.str()) || ::fsync(fd.get()) != 0) {
        std::string why = errno_text("cannot write " + tmp);
        ::unlink(tmp.c_str());
        return why;
    }
    fd.reset();
    if (::rename(tmp.c_str(), target.c_str()) != 0) {
        std::string why = errno_text("cannot rename " + tmp);
        ::unlink(tmp.c_str());
        return why;
    }
    Fd dir(::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir) ::fsync(dir.get());  // the rename itself survives a power cut
    return {};
}

std::optional<config::Policy> load_last_good_policy(const std::string& state_dir,
                                                    std::string& why) {
    const std::string path = last_good_policy_path(state_dir);
    if (::access(path.c_str(), F_OK) != 0) {
        why = "no saved policy at " + path;
        return std::nullopt;
    }
    try {
        return config::load_policy_file(path);
    } catch (const config::PolicyError& e) {
        why = e.what();
        return std::nullopt;
    }
}

}  // namespace jitd::agent
