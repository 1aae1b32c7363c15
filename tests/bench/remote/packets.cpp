#include "tests/bench/remote/packets.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <random>
#include <stdexcept>
#include <vector>

#include "agent/client/remote_open.hpp"
#include "agent/wire/fd.hpp"
#include "config/cidr.hpp"
#include "tests/support/process.hpp"

namespace jitd::bench::remote {
namespace {

constexpr std::size_t kForgedSize = 204;  // as tests/bench/spa_decode.cpp's forged rows
constexpr std::size_t kForgedVariants = 256;
constexpr std::size_t kMaxBatch = 1024;

sockaddr_in v4(const std::string& text, std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (::inet_pton(AF_INET, text.c_str(), &a.sin_addr) != 1)
        throw std::invalid_argument("bad IPv4 address " + text);
    return a;
}

// A UDP socket bound to src, not connected: an ICMP port unreachable (fwknopd in pcap mode
// has no socket on the port) then never fails a later send with ECONNREFUSED.
wire::Fd udp_from(const std::string& src) {
    wire::Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    const sockaddr_in a = v4(src, 0);
    if (!fd || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("cannot bind a UDP socket to " + src);
    return fd;
}

std::vector<std::string> forged_packets() {
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> pick(0, 63);
    std::vector<std::string> out(kForgedVariants);
    for (auto& p : out) {
        while (p.size() < kForgedSize) p += kAlphabet[pick(rng)];
        // As tests/bench/spa_decode.cpp's forgeries: not the prefix the client strips, and a
        // tag whose last character is canonical, so each costs a receiver the full HMAC.
        if (p.starts_with("U2FsdGVkX1")) p[0] = '9';
        p.back() = 'A';
    }
    return out;
}

}  // namespace

std::string fwknop_packet(const SpaKeys& keys, const std::string& allow,
                          std::optional<unsigned> timeout_s, const std::string& work_dir) {
    const std::string file = work_dir + "/spa-packet";
    std::vector<std::string> argv = {"env",
                                     "HOME=/nonexistent",
                                     "fwknop",
                                     "--no-rc-file",
                                     "--no-save-args",
                                     "--test",
                                     "-A",
                                     "tcp/22",
                                     "-D",
                                     test::TestAddrs::server4,
                                     "-a",
                                     allow,
                                     "--key-base64-rijndael",
                                     keys.key_b64,
                                     "--use-hmac",
                                     "--key-base64-hmac",
                                     keys.hmac_b64,
                                     "--save-packet",
                                     file};
    if (timeout_s) argv.insert(argv.end(), {"-f", std::to_string(*timeout_s)});
    test::run_ok(argv);
    std::string packet = test::read_file(file);
    while (!packet.empty() && (packet.back() == '\n' || packet.back() == '\r')) packet.pop_back();
    if (packet.size() < 140) throw std::runtime_error("fwknop saved no packet");
    return packet;
}

std::string signed_datagram(const std::string& host, const std::string& source,
                            std::uint64_t seconds) {
    jitd::remote::ssh::SignedRequest base;
    base.host = host;
    base.port = 22;
    base.protocol = config::Protocol::tcp;
    base.source = config::parse_cidr(source).value;
    base.end = jitd::remote::ssh::SignedRequest::End::duration;
    base.end_value = seconds;
    base.reason = "remote bench";
    auto signers = client::request_signers(std::nullopt);
    const auto built = client::build_signed_requests(base, signers);
    if (built.datagrams.empty()) throw std::runtime_error("no ssh-agent key could sign");
    return built.datagrams.front().bytes;
}

void send_datagram(const std::string& src, const std::string& dst, std::uint16_t port,
                   const std::string& payload) {
    const wire::Fd fd = udp_from(src);
    const sockaddr_in to = v4(dst, port);
    if (::sendto(fd.get(), payload.data(), payload.size(), 0,
                 reinterpret_cast<const sockaddr*>(&to),
                 sizeof to) != static_cast<ssize_t>(payload.size()))
        throw std::runtime_error("send failed");
}

Flood::Flood(const test::Netns& ns, std::string src, std::string dst, std::uint16_t port,
             unsigned rate)
    : started_(std::chrono::steady_clock::now()) {
    thread_ = std::thread([this, &ns, src = std::move(src), dst = std::move(dst), port, rate] {
        try {
            ns.run([&] { loop(src, dst, port, rate); });
        } catch (const std::exception& e) {
            const std::lock_guard<std::mutex> lock(mutex_);
            error_ = e.what();
        }
    });
}

Flood::~Flood() {
    stop_ = true;
    thread_.join();
}

std::string Flood::error() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return error_;
}

double Flood::achieved_rate() const {
    const std::chrono::duration<double> t = std::chrono::steady_clock::now() - started_;
    return t.count() > 0 ? static_cast<double>(sent_.load()) / t.count() : 0;
}

void Flood::loop(const std::string& src, const std::string& dst, std::uint16_t port,
                 unsigned rate) {
    const wire::Fd fd = udp_from(src);
    sockaddr_in to = v4(dst, port);
    const auto packets = forged_packets();
    std::vector<iovec> iov(kMaxBatch);
    std::vector<mmsghdr> msgs(kMaxBatch);
    const auto tick = std::chrono::milliseconds(1);
    const double per_tick = rate / 1000.0;
    double owed = 0;
    std::size_t next = 0;
    auto deadline = std::chrono::steady_clock::now();
    while (!stop_) {
        owed += per_tick;
        const std::size_t n = std::min<std::size_t>(kMaxBatch, static_cast<std::size_t>(owed));
        for (std::size_t i = 0; i < n; ++i) {
            const std::string& p = packets[next++ % packets.size()];
            iov[i] = {const_cast<char*>(p.data()), p.size()};
            msgs[i] = {};
            msgs[i].msg_hdr.msg_name = &to;
            msgs[i].msg_hdr.msg_namelen = sizeof to;
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        std::size_t done = 0;
        while (done < n) {
            const int r =
                ::sendmmsg(fd.get(), msgs.data() + done, static_cast<unsigned>(n - done), 0);
            if (r <= 0) break;  // a full queue: the packets are owed to the next tick
            done += static_cast<std::size_t>(r);
        }
        owed -= static_cast<double>(done);
        sent_ += done;
        // Behind by more than a second (a starved sender): do not try to catch up in a burst.
        if (owed > rate) owed = per_tick;
        deadline += tick;
        std::this_thread::sleep_until(deadline);
    }
}

}  // namespace jitd::bench::remote
