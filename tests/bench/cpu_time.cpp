#include "tests/bench/cpu_time.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "tests/support/process.hpp"

namespace jitd::bench {
namespace {

std::string link_target(const std::string& path) {
    char buf[256];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

double cpu_seconds(pid_t pid) {
    const std::string stat = test::read_file("/proc/" + std::to_string(pid) + "/stat");
    // Fields after the command (which may hold spaces) start past the last ')'.
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream in(stat.substr(close + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    // state is field 3; utime and stime are fields 14 and 15.
    for (int i = 3; i <= 15 && in >> field; ++i) {
        if (i == 14) utime = std::strtoul(field.c_str(), nullptr, 10);
        if (i == 15) stime = std::strtoul(field.c_str(), nullptr, 10);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

MachineCpu machine_cpu() {
    // "cpu  user nice system idle iowait irq softirq steal ..." in clock ticks.
    std::istringstream in(test::read_file("/proc/stat"));
    std::string label;
    unsigned long v[8] = {};
    in >> label;
    for (auto& x : v) in >> x;
    const auto tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    return {static_cast<double>(v[3] + v[4]) / tick, static_cast<double>(v[7]) / tick};
}

pid_t private_journald() {
    const std::string my_mnt = link_target("/proc/self/ns/mnt");
    DIR* d = ::opendir("/proc");
    if (!d) return -1;
    pid_t found = -1;
    while (dirent* e = ::readdir(d)) {
        const pid_t pid = std::atoi(e->d_name);
        if (pid <= 0) continue;
        const std::string base = "/proc/" + std::string(e->d_name);
        if (test::read_file(base + "/comm") != "systemd-journal\n") continue;
        if (link_target(base + "/ns/mnt") == my_mnt) {
            found = pid;
            break;
        }
    }
    ::closedir(d);
    return found;
}

}  // namespace jitd::bench
