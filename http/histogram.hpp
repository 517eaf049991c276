#pragma once
// A Prometheus histogram of durations in seconds: lock-free to observe, written in the text
// exposition format. The gateway's handler latency per route and the shops service's
// checkout batches use it, so every duration on /metrics has the same buckets.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace courtyard::http {

class Histogram {
 public:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void observe(double seconds);
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // Appends NAME_bucket{LABELS,le="…"} (cumulative, up to +Inf), NAME_sum and NAME_count.
  // `labels` is `key="value"` pairs without braces, already escaped, or empty.
  void render(std::string& out, std::string_view name, std::string_view labels = {}) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets_{};  // per bucket, the last +Inf
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace courtyard::http
