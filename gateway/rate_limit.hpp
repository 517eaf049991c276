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
  // What one request's check decided, for the RateLimit headers (IETF httpapi draft).
  struct Decision {
    bool allowed = true;
    int remaining = 0;    // whole requests left in the bucket after this one
    int reset_s = 0;      // seconds until the bucket is full again
    int retry_after = 0;  // when refused: seconds until a token is available (>= 1)
  };
  Decision check(std::string const& key);
  // 0 when allowed; otherwise seconds until a token is available (>= 1).
  int take(std::string const& key) { return check(key).retry_after; }
  bool enabled() const { return rate_ > 0; }
  // `RateLimit-Policy: "default";q=<burst>;w=<seconds to refill>`
  std::string policy_header() const;

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
