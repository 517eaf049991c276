#pragma once
// Prometheus metrics: request counts and latency histograms per route pattern and
// status class, plus gauges the network layer updates. Lock-free on the hot path.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace courtyard::gateway {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05, 0.1, 0.25, 0.5, 1.0, 2.5};
  struct Series {
    std::array<std::atomic<std::uint64_t>, 6> by_class{};  // 1xx..5xx, index = status/100
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_us{0};
  };
  // Pre-registers a series (route "METHOD pattern"); unknown keys are created lazily.
  Series& series(std::string const& key);
  void observe(std::string const& key, int status, double seconds);

  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::int64_t> websocket_connections{0};
  std::atomic<std::uint64_t> rejected_overload{0};
  std::atomic<std::int64_t> queue_depth{0};

  std::string render() const;  // text exposition format

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Series>> series_;
};

}  // namespace courtyard::gateway
