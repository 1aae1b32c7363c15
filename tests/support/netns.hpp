// Private network namespaces for tests: a server and a client joined by a veth pair, with
// listeners and probes that send real packets. Names carry a unique prefix; the destructor
// deletes them. Nothing here touches the root namespace's firewall.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace jitd::test {

class Netns {
  public:
    explicit Netns(std::string name);  // `ip netns add`
    ~Netns();                          // `ip netns del`
    Netns(const Netns&) = delete;
    Netns& operator=(const Netns&) = delete;

    const std::string& name() const { return name_; }
    // Runs `fn` on a thread that has entered this namespace. Sockets created there stay in it.
    void run(const std::function<void()>& fn) const;
    // argv prefixed with `ip netns exec NAME`.
    std::vector<std::string> exec(std::vector<std::string> argv) const;

  private:
    std::string name_;
};

// Addresses used on the veth pair (documentation ranges; they never leave the namespaces).
struct TestAddrs {
    static constexpr const char* server4 = "198.51.100.1";
    static constexpr const char* client4 = "198.51.100.2";
    static constexpr const char* client4b = "198.51.100.3";  // a second client address
    static constexpr const char* server6 = "2001:db8:99::1";
    static constexpr const char* client6 = "2001:db8:99::2";
    static constexpr const char* client6b = "2001:db8:99::3";
};

class TestNet {
  public:
    TestNet();  // namespaces "jitdt-<pid>-<n>-srv" and "...-cli", veth, addresses, lo up
    Netns& server() { return *server_; }
    Netns& client() { return *client_; }
    // Removes namespaces left behind by test processes that no longer exist.
    static void sweep_stale();

  private:
    std::unique_ptr<Netns> server_;
    std::unique_ptr<Netns> client_;
};

// Deletes namespaces named PREFIX<pid>… whose process no longer exists (left by a crash).
void sweep_stale_namespaces(const std::string& prefix);

// A TCP echo server on [::]:port (IPv4 too) inside a namespace, served by its own thread.
class TcpEchoServer {
  public:
    TcpEchoServer(const Netns& ns, std::uint16_t port);
    ~TcpEchoServer();

  private:
    int listen_fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::thread thread_;
};

// A UDP echo server on [::]:port inside a namespace.
class UdpEchoServer {
  public:
    UdpEchoServer(const Netns& ns, std::uint16_t port);
    ~UdpEchoServer();

  private:
    int fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::thread thread_;
};

inline constexpr std::chrono::milliseconds kProbeTimeout{300};

// A TCP connection from `src` (bound, inside `ns`) to dst:port; connected() is false when the
// handshake did not finish within the timeout. Used to keep a connection across a grant's end.
class TcpClient {
  public:
    TcpClient(const Netns& ns, const std::string& src, const std::string& dst, std::uint16_t port,
              std::chrono::milliseconds timeout = kProbeTimeout);
    ~TcpClient();
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;
    bool connected() const { return connected_; }
    std::uint16_t local_port() const;  // the port the kernel bound it to
    // Waits until the peer has reset or closed the connection (true) or `timeout` passes.
    bool wait_closed(std::chrono::milliseconds timeout = kProbeTimeout);
    // Sends a line and waits for the echo; false if it does not come back in time.
    bool echo(const std::string& text, std::chrono::milliseconds timeout = kProbeTimeout);

  private:
    int fd_ = -1;
    bool connected_ = false;
};

// One-shot probes: true when the server answered.
bool tcp_connects(const Netns& ns, const std::string& src, const std::string& dst,
                  std::uint16_t port, std::chrono::milliseconds timeout = kProbeTimeout);
bool udp_answers(const Netns& ns, const std::string& src, const std::string& dst,
                 std::uint16_t port, std::chrono::milliseconds timeout = kProbeTimeout);

// `nft list ruleset` of the namespace the calling thread is in.
std::string root_ruleset();

}  // namespace jitd::test
