#include "tests/bench/remote/fwknopd.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace jitd::bench::remote {

const char* mode_name(FwknopdMode m) {
    return m == FwknopdMode::pcap ? "pcap" : "udp_server";
}

Fwknopd::Fwknopd(const test::Netns& server, const SpaKeys& keys, FwknopdMode mode)
    : server_(server), mode_(mode) {
    std::string templ = "/tmp/jitd-bench-fwknopd-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    std::filesystem::create_directory(dir_ + "/run");
    // Everything that would default to /etc/fwknop or /var/run/fwknop points into dir_.
    {
        std::ofstream conf(dir_ + "/fwknopd.conf");
        conf << "PCAP_INTF jv0;\n"
             << "PCAP_FILTER udp port " << kSpaPort << ";\n"
             << "FWKNOP_RUN_DIR " << dir_ << "/run;\n"
             << "FWKNOP_PID_FILE " << dir_ << "/run/fwknopd.pid;\n"
             << "DIGEST_FILE " << dir_ << "/run/digest.cache;\n"
             << "FIREWALL_EXE /usr/sbin/iptables;\n";
        if (mode == FwknopdMode::udp_server)
            conf << "ENABLE_UDP_SERVER Y;\nUDPSERV_PORT " << kSpaPort << ";\n";
    }
    {
        std::ofstream access(dir_ + "/access.conf");
        access << "SOURCE ANY\nREQUIRE_SOURCE_ADDRESS Y\nKEY_BASE64 " << keys.key_b64
               << "\nHMAC_KEY_BASE64 " << keys.hmac_b64 << "\nFW_ACCESS_TIMEOUT 3600\n";
    }
    ::chmod((dir_ + "/fwknopd.conf").c_str(), 0600);
    ::chmod((dir_ + "/access.conf").c_str(), 0600);
    const auto present = test::run(
        server_.exec({"iptables", "-C", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP"}));
    if (present.exit_code != 0)
        test::run_ok(
            server_.exec({"iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "DROP"}));
}

Fwknopd::~Fwknopd() {
    try {
        stop();
    } catch (...) {
        // The Child's destructor still kills it by PID.
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void Fwknopd::start() {
    // Not -v: verbose mode writes every packet it sees to the log, which would slow it in the
    // flood; its warnings still go there, as they would go to syslog as a daemon.
    std::vector<std::string> argv = {"fwknopd", "-f",
                                     "-c",      dir_ + "/fwknopd.conf",
                                     "-a",      dir_ + "/access.conf",
                                     "-p",      dir_ + "/run/fwknopd.pid",
                                     "-d",      dir_ + "/run/digest.cache"};
    if (mode_ == FwknopdMode::udp_server) argv.push_back("-U");
    child_ = test::Child::spawn(server_.exec(argv), {}, dir_ + "/fwknopd.log");
    // Ready once it listens: its packet socket (pcap) or its UDP socket exists in the namespace.
    const auto listening = [&] {
        if (mode_ == FwknopdMode::pcap) {
            const auto p = test::run(server_.exec({"cat", "/proc/net/packet"}));
            return p.out.find('\n') != std::string::npos &&
                   p.out.find('\n') + 1 < p.out.size();  // a line after the header
        }
        const auto ss =
            test::run(server_.exec({"ss", "-Hlun", "sport", "=", ":" + std::to_string(kSpaPort)}));
        return ss.out.find(std::to_string(kSpaPort)) != std::string::npos;
    };
    const bool ready = test::poll_until([&] { return !child_.running() || listening(); },
                                        std::chrono::seconds(30));
    if (!ready || !child_.running())
        throw std::runtime_error("fwknopd (" + std::string(mode_name(mode_)) +
                                 ") did not start:\n" + log());
}

void Fwknopd::stop() {
    if (child_.pid() > 0 && child_.running()) child_.stop(SIGTERM);
    child_ = test::Child();
}

std::string Fwknopd::rules() const {
    return test::run(server_.exec({"iptables", "-S", "FWKNOP_INPUT"})).out;
}

}  // namespace jitd::bench::remote
