// Debian's fwknopd (package fwknop-server) for the comparison: its own config dir (fwknopd.conf,
// access.conf, run dir, PID file, digest cache) under /tmp, run in the foreground inside the
// server namespace only, where it drives iptables (iptables-nft) in that namespace. A DROP rule
// for tcp/22 in INPUT is the closed door; fwknopd's FWKNOP_INPUT jump goes in front of it.
#pragma once

#include <string>

#include "tests/bench/remote/packets.hpp"
#include "tests/support/netns.hpp"
#include "tests/support/process.hpp"

namespace jitd::bench::remote {

enum class FwknopdMode { pcap, udp_server };

const char* mode_name(FwknopdMode m);

class Fwknopd {
  public:
    // Writes the config (FW_ACCESS_TIMEOUT 3600: clients ask less with -f), adds the DROP rule.
    Fwknopd(const test::Netns& server, const SpaKeys& keys, FwknopdMode mode);
    ~Fwknopd();  // stops fwknopd (SIGTERM, then SIGKILL, by PID), removes the dir
    Fwknopd(const Fwknopd&) = delete;
    Fwknopd& operator=(const Fwknopd&) = delete;

    // Starts it and waits (polling its log) until its main loop runs; throws with the log.
    void start();
    void stop();
    std::string log() const { return test::read_file(dir_ + "/fwknopd.log"); }
    // `iptables -S FWKNOP_INPUT` in the server namespace (the rules it has made).
    std::string rules() const;

  private:
    const test::Netns& server_;
    FwknopdMode mode_;
    std::string dir_;
    test::Child child_;
};

}  // namespace jitd::bench::remote
