#include "tests/integration/remote/remote_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

namespace jitd::test {
namespace {

namespace fs = std::filesystem;

std::string make_temp_dir(const char* pattern) {
    std::string tmpl = std::string("/tmp/") + pattern + "XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

// A connected UDP socket bound to src, inside the calling thread's namespace.
int udp_socket(const std::string& src, const std::string& dst, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, src.c_str(), &a.sin_addr);
    sockaddr_in b{};
    b.sin_family = AF_INET;
    b.sin_port = htons(port);
    ::inet_pton(AF_INET, dst.c_str(), &b.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&b), sizeof b) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot bind/connect the UDP socket");
    }
    return fd;
}

}  // namespace

FwknopKeyPair fwknop_key_gen(const std::string& home) {
    const std::string out = run_ok({"env", "HOME=" + home, "fwknop", "--key-gen"});
    std::smatch k, h;
    static const std::regex key_re("(^|\n)KEY_BASE64: ([A-Za-z0-9+/=]+)");
    static const std::regex hmac_re("HMAC_KEY_BASE64: ([A-Za-z0-9+/=]+)");
    if (!std::regex_search(out, k, key_re) || !std::regex_search(out, h, hmac_re))
        throw std::runtime_error("unexpected fwknop --key-gen output: " + out);
    return {k[2], h[1]};
}

KeysDir::KeysDir() : path_(make_temp_dir("jitd-keys-")), home_(make_temp_dir("jitd-fwknop-")) {}

KeysDir::~KeysDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
    fs::remove_all(home_, ec);
}

FwknopKeyPair KeysDir::add(const std::string& user, mode_t mode) {
    FwknopKeyPair keys = fwknop_key_gen(home_);  // not const: returned by move
    const std::string file = path_ + "/" + user + ".fwknop";
    {
        std::ofstream out(file);
        out << "key_base64: " << keys.key_b64 << "\nhmac_key_base64: " << keys.hmac_b64 << "\n";
    }
    ::chmod(file.c_str(), mode);
    return keys;
}

FwknopKeyPair KeysDir::add_with_jit_request(const std::string& user) {
    const std::string out =
        run_ok({JIT_REQUEST_BINARY, "keys", "add", user, "--fwknop", "--dir", path_});
    std::smatch k, h;
    static const std::regex key_re("(^|\n)KEY_BASE64 +([A-Za-z0-9+/=]+)");
    static const std::regex hmac_re("HMAC_KEY_BASE64 +([A-Za-z0-9+/=]+)");
    if (!std::regex_search(out, k, key_re) || !std::regex_search(out, h, hmac_re))
        throw std::runtime_error("unexpected jit-request keys add output: " + out);
    return {k[2], h[1]};
}

RunResult send_spa(TestNet& net, const FwknopKeyPair& keys, const SpaArgs& args, std::uint16_t port,
                   const std::string& save_to) {
    std::vector<std::string> argv = {"env",
                                     "HOME=/nonexistent",
                                     "fwknop",
                                     "--no-rc-file",
                                     "--no-save-args",
                                     "-A",
                                     args.access,
                                     "-D",
                                     TestAddrs::server4,
                                     "-p",
                                     std::to_string(port),
                                     "--key-base64-rijndael",
                                     keys.key_b64};
    if (args.source_ip)
        argv.push_back("-s");
    else
        argv.insert(argv.end(), {"-a", args.allow});
    if (args.hmac) argv.insert(argv.end(), {"--use-hmac", "--key-base64-hmac", keys.hmac_b64});
    if (!save_to.empty()) argv.insert(argv.end(), {"--save-packet", save_to});
    argv.insert(argv.end(), args.extra.begin(), args.extra.end());
    return run(net.client().exec(argv));
}

void send_udp(const Netns& ns, const std::string& src, const std::string& dst, std::uint16_t port,
              const std::string& payload, int count) {
    std::string error;
    ns.run([&] {
        const int fd = udp_socket(src, dst, port);
        for (int i = 0; i < count && error.empty(); ++i)
            if (::send(fd, payload.data(), payload.size(), 0) !=
                static_cast<ssize_t>(payload.size()))
                error = "send failed";
        ::close(fd);
    });
    if (!error.empty()) throw std::runtime_error(error);
}

UdpFlood::UdpFlood(const Netns& ns, const std::string& src, const std::string& dst,
                   std::uint16_t port, const std::string& payload) {
    thread_ = std::thread([this, &ns, src, dst, port, payload] {
        ns.run([&] {
            const int fd = udp_socket(src, dst, port);
            while (!stop_.load() && sent_.load() < 5'000'000)
                if (::send(fd, payload.data(), payload.size(), 0) > 0) ++sent_;
            ::close(fd);
        });
    });
}

void UdpFlood::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

bool udp_port_refuses(const Netns& ns, const std::string& src, const std::string& dst,
                      std::uint16_t port, std::chrono::milliseconds wait) {
    bool refused = false;
    ns.run([&] {
        const int fd = udp_socket(src, dst, port);
        const char probe[] = "probe";
        (void)::send(fd, probe, sizeof probe, 0);
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(wait.count())) > 0) {
            char buf[64];
            refused = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0 && errno == ECONNREFUSED;
        }
        ::close(fd);
    });
    return refused;
}

nlohmann::json remote_status(DaemonFixture& d) {
    const auto r = d.request({{"op", "status"}});
    return r.value("remote", nlohmann::json::object());
}

bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (cond()) return true;
        if (std::chrono::steady_clock::now() >= end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

}  // namespace jitd::test
