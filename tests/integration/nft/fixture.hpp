// Shared pieces of the nft integration tests: a TestNet with a Session opened inside its server
// namespace, the policy the tests protect, and `nft` run in that namespace.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "nft/session.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::nft::testing {

using jitd::test::TestAddrs;

// An element timeout no test outlives.
inline constexpr auto kLong = std::chrono::seconds(3600);

inline constexpr std::uint16_t kSsh = 2222;   // protected, tcp and udp
inline constexpr std::uint16_t kRdp = 3389;   // protected, tcp
inline constexpr std::uint16_t kOpen = 8080;  // never protected

inline Prefix P(const std::string& text) {
    auto p = parse_prefix(text);
    if (!p) throw std::runtime_error("bad prefix " + text);
    return *p;
}

inline ElementKey K(const std::string& source, L4 proto, std::uint16_t port) {
    return ElementKey{P(source), proto, port};
}

inline Element E(const std::string& source, L4 proto, std::uint16_t port,
                 std::chrono::seconds timeout, std::string comment = "jitd:test") {
    return Element{K(source, proto, port), timeout, std::move(comment)};
}

inline TableSpec default_spec() {
    TableSpec spec;
    spec.protected_ports = {{L4::tcp, kSsh}, {L4::udp, kSsh}, {L4::tcp, kRdp}};
    return spec;
}

class NftTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!jitd::test::is_root()) GTEST_SKIP() << "needs root";
        net_.emplace();
        net_->server().run([&] { session_.emplace(Session::open()); });
    }

    jitd::test::TestNet& net() { return *net_; }
    Session& session() { return *session_; }

    // `nft ARGS...` inside the server namespace; throws when it fails.
    std::string nft(std::vector<std::string> args) {
        args.insert(args.begin(), "nft");
        return jitd::test::run_ok(net_->server().exec(std::move(args)));
    }
    std::string listing() { return nft({"list", "table", "inet", "jitd"}); }

    void add(const Element& e) { session().apply(Change{{}, {e}}); }

  private:
    std::optional<jitd::test::TestNet> net_;
    std::optional<Session> session_;  // destroyed before the namespaces
};

}  // namespace jitd::nft::testing
