#include "agent/daemon/app.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "agent/daemon/daemon.hpp"
#include "agent/daemon/engine.hpp"
#include "agent/daemon/instance_socket.hpp"
#include "agent/daemon/listen_socket.hpp"
#include "agent/daemon/listening_ports.hpp"
#include "agent/daemon/lockdown.hpp"
#include "agent/daemon/logging.hpp"
#include "agent/daemon/options.hpp"
#include "agent/daemon/policy_bridge.hpp"
#include "config/policy_loader.hpp"
#include "config/policy_warnings.hpp"
#include "nft/monitor.hpp"
#include "nft/session.hpp"

namespace jitd::agent {
namespace {

// Many clients at once each hold a descriptor: take what the hard limit allows.
void raise_fd_limit() {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

// Removes the socket file at stop, if it is still the one we bound.
class SocketFileGuard {
  public:
    SocketFileGuard(std::string path, bool owned) : path_(std::move(path)) {
        struct stat st {};
        if (owned && lstat(path_.c_str(), &st) == 0) inode_ = st.st_ino;
    }
    ~SocketFileGuard() {
        struct stat st {};
        if (inode_ != 0 && lstat(path_.c_str(), &st) == 0 && st.st_ino == inode_)
            ::unlink(path_.c_str());
    }
    SocketFileGuard(const SocketFileGuard&) = delete;
    SocketFileGuard& operator=(const SocketFileGuard&) = delete;

  private:
    std::string path_;
    ino_t inode_ = 0;
};

// The shipped policy is 0640 root:jitd (it names the always-allowed sources): a caller who may
// not read it is told so, and what to do, before the loader's terser message.
bool say_if_unreadable(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO: no wait
    if (fd >= 0) {
        ::close(fd);
        return false;
    }
    const int err = errno;
    if (err != EACCES && err != EPERM) return false;
    std::cerr << "jitd: cannot read " << path << ": " << std::strerror(err) << " (uid "
              << ::getuid() << "). The policy is mode 0640, owner root, group jitd: run jitd "
              << "and jitd --check as root (e.g. sudo jitd --check) or in group jitd.\n";
    return true;
}

int remove_table() {
    if (auto pid = running_instance(nft::kTableName)) {
        std::cerr << "jitd: refusing to remove table inet jitd: jitd"
                  << (*pid > 0 ? " (pid " + std::to_string(*pid) + ")" : std::string())
                  << " is running on it in this network namespace and would restore it; "
                     "stop it first (systemctl stop jitd)\n";
        return 1;
    }
    try {
        nft::Session::open().remove_table();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "jitd: cannot remove table inet jitd: " << e.what() << '\n';
        return 1;
    }
}

// --check as root: other tables whose input policy is drop still drop what jitd grants.
void note_foreign_drop_chains() {
    try {
        for (const auto& chain : nft::Session::open().foreign_input_drop_chains())
            std::cerr << "jitd: note: chain " << chain
                      << " (another table) has policy drop on the input hook; a jitd grant "
                         "cannot override it, so granted sources must be accepted there too\n";
    } catch (const std::exception& e) {
        std::cerr << "jitd: note: cannot read the ruleset: " << e.what() << '\n';
    }
}

// --check: listening management ports the policy leaves open, as `status` lists them.
void note_recommended_ports(const config::Policy& policy) {
    for (const auto& r : recommended_ports(policy))
        std::cerr << "jitd: note: " << recommendations_text({r});
}

int run_daemon(const Options& o, config::Policy policy) {
    raise_fd_limit();
    (void)service_name(22, config::Protocol::tcp);  // reads /etc/services now, not on the loop
    Fd instance_fd;  // one jitd per table and network namespace: before the socket, the table
    try {
        instance_fd = claim_instance(nft::kTableName);
    } catch (const InstanceError& e) {
        spdlog::error("{}; not starting", e.what());
        return 1;
    }
    Fd listen_fd;
    bool activated = false;
    try {
        listen_fd = activated_socket();
        activated = static_cast<bool>(listen_fd);
        if (!activated) listen_fd = bind_socket(o.socket);
    } catch (const ListenError& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
    SocketFileGuard socket_file(o.socket, !activated);
    try {
        auto monitor = nft::Monitor::open();  // sees whatever happens from the install on
        Engine engine(o.policy, std::move(policy),
                      std::make_unique<nft::Session>(nft::Session::open()));
        engine.set_state_dir(o.state_dir);
        engine.start();
        Daemon daemon(o, engine, std::move(listen_fd), std::move(instance_fd), std::move(monitor));
        return daemon.run();
    } catch (const nft::Error& e) {
        spdlog::error("cannot install table inet jitd: {}", e.what());
        return 1;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
}

}  // namespace

int run_app(int argc, const char* const* argv) {
    OptionsParse parsed = parse_options(argc, argv);
    if (parsed.exit_code) return *parsed.exit_code;
    const Options& o = parsed.options;
    setup_logging();
    if (o.remove_table) return remove_table();

    config::Policy policy;
    if (say_if_unreadable(o.policy)) return 1;
    try {
        policy = config::load_policy_file(o.policy);
    } catch (const config::PolicyError& e) {
        std::cerr << e.what() << '\n';
        if (o.check) return 1;  // --check never installs anything
        std::cerr << "jitd: the policy is invalid; not starting\n";
        return lock_down(o.policy, o.state_dir, e.what());
    }
    if (o.check) {
        for (const auto& w : config::policy_warnings(policy))
            std::cerr << o.policy << ": warning: " << w << '\n';
        std::cout << nft::render_ruleset(table_spec(policy));
        if (geteuid() == 0) note_foreign_drop_chains();
        note_recommended_ports(policy);
        return 0;
    }
    return run_daemon(o, std::move(policy));
}

}  // namespace jitd::agent
