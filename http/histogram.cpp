#include "http/histogram.hpp"

#include <cstdio>

namespace courtyard::http {

void Histogram::observe(double seconds) {
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  buckets_[b].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  std::string prefix(name);
  std::string open = labels.empty() ? "{" : "{" + std::string(labels) + ",";
  std::string braces = labels.empty() ? "" : "{" + std::string(labels) + "}";
  char number[32];
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
    cumulative += buckets_[b].load(std::memory_order_relaxed);
    if (b < kBuckets.size()) std::snprintf(number, sizeof number, "%g", kBuckets[b]);
    out += prefix + "_bucket" + open + "le=\"" + (b < kBuckets.size() ? number : "+Inf") + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  std::snprintf(number, sizeof number, "%g", static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6);
  out += prefix + "_sum" + braces + " " + number + "\n";
  out += prefix + "_count" + braces + " " + std::to_string(count()) + "\n";
}

}  // namespace courtyard::http
