#pragma once
// Token bucket per key (principal or client IP). Per instance: behind a load balancer the
// effective limit is N x rate, which is the usual trade for keeping the gateway stateless.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace courtyard::gateway {

class RateLimiter {
 public:
  RateLimiter(double rate_per_s, double burst) : rate_(rate_per_s), burst_(burst) {}
  // 0 when allowed; otherwise seconds until a token is available (>= 1).
  int take(std::string const& key);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point at;
  };
  double rate_;
  double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::size_t ops_ = 0;
};

}  // namespace courtyard::gateway
