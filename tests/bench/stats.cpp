#include "tests/bench/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace jitd::bench {

double micros_since(Clock::time_point start) {
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

void Samples::append(const Samples& other) {
    values_.insert(values_.end(), other.values_.begin(), other.values_.end());
    sorted_ = false;
}

double Samples::percentile(double p) const {
    if (values_.empty()) return 0;
    if (!sorted_) {
        std::sort(values_.begin(), values_.end());
        sorted_ = true;
    }
    // Nearest rank: the smallest value with at least p% of the samples at or below it.
    auto rank =
        static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values_.size())));
    rank = std::clamp<std::size_t>(rank, 1, values_.size());
    return values_[rank - 1];
}

double Samples::mean() const {
    if (values_.empty()) return 0;
    return std::accumulate(values_.begin(), values_.end(), 0.0) /
           static_cast<double>(values_.size());
}

}  // namespace jitd::bench
