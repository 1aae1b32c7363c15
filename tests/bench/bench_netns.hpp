// The benchmark's private network namespace, "jitd-bench-<pid>": created with `ip netns add`,
// entered by the calling thread (so everything it spawns — jitd, nft — and every netlink
// socket it opens live there), left and deleted by the destructor. The root namespace's
// firewall is never touched.
#pragma once

#include <string>

namespace jitd::bench {

class BenchNetns {
  public:
    BenchNetns();  // removes namespaces of earlier runs whose process is gone, then creates ours
    ~BenchNetns();
    BenchNetns(const BenchNetns&) = delete;
    BenchNetns& operator=(const BenchNetns&) = delete;

    const std::string& name() const { return name_; }

  private:
    std::string name_;
    int home_fd_ = -1;  // the namespace the thread came from
};

}  // namespace jitd::bench
