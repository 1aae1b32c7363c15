// Latency samples and the few statistics the benchmark reports (nearest-rank percentiles).
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

namespace jitd::bench {

using Clock = std::chrono::steady_clock;

// Microseconds since `start`, as a double (sub-microsecond resolution kept).
double micros_since(Clock::time_point start);

class Samples {
  public:
    void add(double us) { values_.push_back(us); }
    void append(const Samples& other);
    std::size_t size() const { return values_.size(); }
    bool empty() const { return values_.empty(); }
    // Nearest-rank percentile, p in [0, 100]; 0 when there are no samples.
    double percentile(double p) const;
    double median() const { return percentile(50); }
    double mean() const;

  private:
    mutable std::vector<double> values_;
    mutable bool sorted_ = false;
};

}  // namespace jitd::bench
