#pragma once
// Prometheus metrics: request counts and latency histograms per route pattern and
// status class, plus gauges the network layer updates. Lock-free on the hot path.
#include "http/histogram.hpp"

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
  struct Series {
    std::array<std::atomic<std::uint64_t>, 6> by_class{};  // 1xx..5xx, index = status/100
    http::Histogram latency;
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
